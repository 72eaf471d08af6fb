"""Story -> Summary: an extractive, deterministic summarizer that only uses the seed's own words."""

from __future__ import annotations

from digest.models import Sources, Story, Summary
from digest.summarize.extract import pick_bullets, sentences_of
from digest.summarize.hashtags import make_hashtags
from digest.summarize.headline import make_headline, make_tagline

HEADLINE_MAX = 70
TAGLINE_MAX = 120
BULLET_MAX = 200


def summarize(story: Story, max_bullets: int = 5) -> Summary:
    """Headline, tagline, 3-5 bullets and hashtags for `story`, each traced to its source."""
    sentences = sentences_of(story)
    headline, headline_source = make_headline(story, HEADLINE_MAX)
    tagline, tagline_source = make_tagline(story, sentences, TAGLINE_MAX)
    bullets = pick_bullets(sentences, story.title, max_bullets, BULLET_MAX)
    return Summary(
        story_id=story.id,
        headline=headline,
        tagline=tagline,
        bullets=tuple(text for text, _ in bullets),
        hashtags=make_hashtags(story),
        sources=Sources(
            headline=(headline_source,),
            tagline=(tagline_source,),
            bullets=tuple((source,) for _, source in bullets),
        ),
    )
