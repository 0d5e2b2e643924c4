"""Masked copies of production extracts for non-production use (`sfsync mask`).

Names, emails, phones, addresses and tax ids are replaced deterministically under a secret key: the same value
always becomes the same fake, so exact matches, nickname groups, typos and abbreviations survive and identity
resolution on the copy finds the clusters it finds on the original. Without the key the fakes cannot be traced
back except by guessing (see docs/threat-model.md for what deterministic masking does not hide).

Modules: key (the secret), fpe (format-preserving permutation), vocabulary (name dictionaries and the keyed
permutations over them), words (one word), values (one value of a kind), columns (which column holds what),
records (JSON objects), then one module per input format and `directory` / `cli` that walk an extract.
"""
