"""GRU hybrid deep-learning architectures, one annotated notebook per domain, on real data, beside their peers

Modules:

- `gru_hybrids.session_rec`: Rank the whole catalogue for the next item of a session: item embeddings, a GRU over the session, causal self-attention over the GRU states, and scores against the same (tied) embeddings — on real shop invoices and real movie-rating histories, beside most-popular, item-kNN, GRU4Rec- and SASRec-style models and RecBole."""

__version__ = "0.1.0"
