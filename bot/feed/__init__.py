"""The central feed: each new issue posted to one channel, edited as it changes."""
