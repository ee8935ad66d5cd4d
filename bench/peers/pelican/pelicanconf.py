"""Pelican settings for bench/site_build.py.

Default theme (notmyidea). Builds what the portal builds for notices: one page
per article, the paginated index, per-category and per-estate (tag) pages,
paginated by 20 like ours, plus the archive and the category/tag indexes, an
Atom feed per estate and per category. Content, output and cache paths are
given on the command line; the cached rebuild adds
``-e CACHE_CONTENT=true LOAD_CONTENT_CACHE=true --cache-path DIR``.
"""

SITENAME = "常青藤物业 · 公告"
SITEURL = ""
RELATIVE_URLS = False
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
DEFAULT_DATE_FORMAT = "%Y-%m-%d %H:%M"

ARTICLE_PATHS = ["notices"]
PAGE_PATHS: list[str] = []
STATIC_PATHS: list[str] = []

ARTICLE_URL = "notices/{slug}/"
ARTICLE_SAVE_AS = "notices/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "estates/{slug}/"
TAG_SAVE_AS = "estates/{slug}/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "categories", "archives"]


def _pinned_first(article: object) -> tuple[bool, float]:
    """Pinned notices first, then newest first (the index and the feeds)."""
    pinned = str(getattr(article, "pinned", "")).lower() == "true"
    return (not pinned, -article.date.timestamp())  # type: ignore[attr-defined]


ARTICLE_ORDER_BY = _pinned_first

DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category-{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/estate-{slug}.atom.xml"
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 20

CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
