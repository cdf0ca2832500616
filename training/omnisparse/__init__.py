"""Omnisparse: train a streaming transducer as an Omni-sparsity supernet and export its subnets for the browser."""
