"""The preview's views: the email, the social posts, and each story's summary."""
