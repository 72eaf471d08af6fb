"""Story -> Summary: an extractive, deterministic summarizer that only uses the seed's own words."""

from __future__ import annotations

from digest.models import Sources, Story, Summary
from digest.summarize.extract import bullet_text, pick, sentences_of
from digest.summarize.hashtags import make_hashtags
from digest.summarize.headline import make_headline, make_tagline

HEADLINE_MAX = 70
TAGLINE_MAX = 120
BULLET_MAX = 200
MIN_BULLETS, MAX_BULLETS = 3, 5


def bullet_count(story: Story, maximum: int = MAX_BULLETS) -> int:
    """Three bullets for one article, one more for each further article, up to `maximum`."""
    return max(MIN_BULLETS, min(maximum, len(story.articles) + 2))


def summarize(story: Story, max_bullets: int = MAX_BULLETS) -> Summary:
    """Headline, tagline, 3-5 bullets and hashtags for `story`, each traced to its source."""
    sentences = sentences_of(story)
    headline, headline_source = make_headline(story, sentences, HEADLINE_MAX)
    chosen = pick(sentences, story.title, bullet_count(story, max_bullets))
    # The tagline says something the bullets do not repeat.
    used = frozenset(s.text for s in chosen)
    tagline, tagline_source = make_tagline(story, sentences, used, TAGLINE_MAX)
    return Summary(
        story_id=story.id,
        headline=headline,
        tagline=tagline,
        bullets=tuple(bullet_text(s, BULLET_MAX) for s in chosen),
        hashtags=make_hashtags(story),
        sources=Sources(
            headline=(headline_source,),
            tagline=(tagline_source,),
            bullets=tuple((s.text,) for s in chosen),
        ),
    )
