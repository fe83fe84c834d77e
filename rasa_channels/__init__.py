"""Input channels for the Rasa server (loaded by Rasa from credentials.yml, run in Rasa's own
Python environment; nothing of licencebot imports them)."""
