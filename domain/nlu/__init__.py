"""Free-text understanding trained from data/nlu.yml (shared with Rasa's training data)."""
