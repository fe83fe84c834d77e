"""The presentation layer both front ends share: message catalogues, formatting, screens.

Screens are rendered once, from the use cases' views, as Telegram HTML; the Rasa actions turn
them into plain text with `markup.plain`. Nothing here knows Telegram or Rasa.
"""
