"""The Rasa action server (`python -m rasa_sdk --actions actions`), thin over domain/.

Importing the package imports every module that defines an action, a form validation or a
form question, so the SDK finds all of them; nothing else happens at import time (the domain
context is created on the first call, see `actions.runtime`).
"""

from actions import account, forms, info, ordering, questions, seats, subscriptions

__all__ = ["account", "forms", "info", "ordering", "questions", "seats", "subscriptions"]
