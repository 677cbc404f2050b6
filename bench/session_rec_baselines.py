"""Session-kNN baselines of Ludewig & Jannach's evaluations, as scorers for `gru_hybrids.session_rec.evaluate`.

SKNN (Jannach & Ludewig 2017), V-SKNN (Ludewig & Jannach 2018), STAN (Garg et al. 2019) and V-STAN (Ludewig et al.
2021), written compactly and vectorised over a batch of prefixes. The sequential rules (SR) are in the library
(`gru_hybrids.session_rec.SequentialRules`), as the notebook uses them as its quick baseline.

Every scorer gets the same context as every other method: the (at most 50) items of the window before the target.
Neighbours are drawn from all training sessions (the training windows here are small enough: 3,888 shop sessions,
943 MovieLens histories), so the recent-sample size of the original implementations is not a setting here.

- SKNN: sim(s, n) = |s ∩ n| / sqrt(|s| |n|) (binary cosine); the k most similar training sessions; score(i) = Σ_n sim · [i ∈ n].
- V-SKNN: the prefix's items weighted by position (linear: p / L, or div: 1 / (L - p + 1); the latest weighs 1), the
  same cosine with those weights; optionally scores times IDF(i) = log(S / |S_i|).
- STAN: prefix weights exp((p - L) / λ1); neighbour recency exp(-(t_s - t_n) / λ2) (days between session starts)
  multiplies the similarity before the k nearest are taken (measured from the latest training session: the query's own
  time would multiply all of its neighbours by one factor, which changes no ranking); an item of neighbour n weighs exp(-|l_n(i) - l_n(s)| / λ3),
  l_n(s) the position in n of the most recent prefix item that n contains.
- V-STAN (ours as written here): STAN with V-SKNN's IDF weighting of the scores. The sequential filter of Ludewig et
  al.'s V-STAN is not implemented.
"""
import numpy as np
import scipy.sparse as sp
import torch

DAY = 86400.0


class SessionKNN:
    "SKNN / V-SKNN / STAN / V-STAN over the training sessions of `split` (`times`: time in seconds of each training sequence id)."
    def __init__(self, split, times: dict, k: int = 100, weighting: str = "same", idf: bool = False,
                 l1: float | None = None, l2: float | None = None, l3: float | None = None):
        self.k, self.weighting, self.idf, self.l1, self.l2, self.l3 = k, weighting, idf, l1, l2, l3
        seqs = split.train.sequences
        self.n = split.n_items + 1
        self.offsets = np.concatenate([[0], np.cumsum([len(s) for s in seqs])])
        self.cat = np.concatenate(seqs)
        self.X = sp.csr_matrix((np.ones(len(self.cat), np.float32), self.cat, self.offsets), shape=(len(seqs), self.n))
        self.X.sum_duplicates(); self.X.data[:] = 1
        self.size = np.asarray(self.X.sum(1)).ravel()
        df = np.asarray(self.X.sum(0)).ravel()
        self.idf_w = torch.tensor(np.log(len(seqs) / np.maximum(df, 1)), dtype=torch.float32)
        t = np.array([times[i] for i in split.train.ids], dtype=np.float64)
        self.age = (t.max() - t) / DAY                                          # days before the latest training session

    def _weights(self, L: np.ndarray, pos: np.ndarray) -> np.ndarray:
        "Weight of the item at 0-based position `pos` in a prefix of length `L` (the latest weighs 1)."
        if self.l1 is not None: return np.exp((pos - (L - 1)) / self.l1)
        if self.weighting == "linear": return (pos + 1) / L
        if self.weighting == "div": return 1 / (L - pos)
        return np.ones_like(pos, dtype=np.float64)

    def __call__(self, inputs, lengths, rows, cols):
        x = inputs[rows].numpy(); c = cols.numpy(); N, T = x.shape
        L = c + 1
        valid = np.arange(T)[None, :] < L[:, None]
        r, p = np.nonzero(valid)
        w = self._weights(L[r], p)
        q = sp.csr_matrix((w, (r, x[r, p])), shape=(N, self.n))            # [N x n_items+1] weighted prefix
        q.sum_duplicates()
        qb = q.copy(); qb.data[:] = 1
        sim = (q @ self.X.T).toarray() / np.sqrt(np.maximum(np.asarray(qb.sum(1)), 1) * np.maximum(self.size[None, :], 1))   # [N x S]
        if self.l2 is not None: sim = sim * np.exp(-self.age / self.l2)[None, :]
        k = min(self.k, sim.shape[1])
        top = np.argpartition(-sim, k - 1, axis=1)[:, :k]                        # [N x k] neighbours
        s_top = np.take_along_axis(sim, top, 1)
        scores = torch.zeros(N, self.n)
        if self.l3 is None:
            W = sp.csr_matrix((s_top.ravel(), (np.repeat(np.arange(N), k), top.ravel())), shape=(N, self.X.shape[0]))
            scores = torch.from_numpy((W @ self.X).toarray().astype(np.float32))
        else:
            scores = self._stan_items(x, L, top, s_top, N)
        if self.idf: scores = scores * self.idf_w
        scores[:, 0] = -torch.inf
        return scores

    def _stan_items(self, x, L, top, s_top, N):
        "Σ_n sim(s, n) · exp(-|l_n(i) - l_n(s)| / λ3) over the items i of each neighbour n."
        recency = np.full((N, self.n), -1, np.int64)                          # position of each item in the prefix
        for j in range(x.shape[1]):
            m = j < L; recency[np.nonzero(m)[0], x[m, j]] = j
        pair_q, pair_n = np.repeat(np.arange(N), top.shape[1]), top.ravel()
        pair_s = s_top.ravel()
        keep = pair_s > 0; pair_q, pair_n, pair_s = pair_q[keep], pair_n[keep], pair_s[keep]
        lens = self.offsets[pair_n + 1] - self.offsets[pair_n]
        pair_of = np.repeat(np.arange(len(pair_n)), lens)                     # element -> pair
        start = np.repeat(self.offsets[pair_n], lens)
        j = np.arange(len(pair_of)) - np.repeat(np.cumsum(lens) - lens, lens)  # position inside the neighbour
        item = self.cat[start + j]
        g = recency[pair_q[pair_of], item]                                    # prefix recency of the neighbour's item
        big = int(lens.max()) + 1
        key = np.where(g >= 0, g * big + j, -1)
        first = np.cumsum(lens) - lens
        best = np.maximum.reduceat(key, first) if len(key) else key
        l_s = best % big                                                      # l_n(s): position of the latest shared item
        w = pair_s[pair_of] * np.exp(-np.abs(j - l_s[pair_of]) / self.l3)
        scores = torch.zeros(N, self.n)
        scores.index_put_((torch.from_numpy(pair_q[pair_of]), torch.from_numpy(item)), torch.from_numpy(w.astype(np.float32)), accumulate=True)
        return scores

