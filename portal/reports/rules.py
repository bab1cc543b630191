"""The monthly bulletin's pure rules: its states, the month it covers and the figures' as-of day.
Pure: `today` is an argument."""

from __future__ import annotations

from portal.core.labelled import N_, LabelledEnum


class BulletinState(LabelledEnum):
    """A draft is edited and its figures may be made again; a published bulletin is frozen (corrections are errata)."""

    DRAFT = "draft", N_("草稿")
    PUBLISHED = "published", N_("已发布")
