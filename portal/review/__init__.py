"""The review queue: what agency officers submit (commitment letters, rectification progress, fulfilment), and
the credit office's decisions on it (approve publishes, return sends it back with a reason, reject closes it)."""
