# Pelican side of bench/build_bench.py: the same minimal site as bench/peers/*/ (article, home,
# per-unit and per-year indexes paginated by 20, one Atom feed of the latest 20 posts).
# Units are Pelican tags, the year is the category; speakers and task lists are multi-line
# metadata ("name | role | note"), split in the templates.
import os

HERE = os.path.dirname(os.path.abspath(__file__))

SITENAME = "Tin tức Mặt trận và các đoàn thể"
SITEURL = "https://example.gov.vn"
RELATIVE_URLS = False
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
PATH = "content"
ARTICLE_PATHS = ["tin-tuc"]
PAGE_PATHS = []
STATIC_PATHS = []
THEME = os.path.join(HERE, "theme")
THEME_STATIC_PATHS = []
SLUGIFY_SOURCE = "basename"
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}  # as the other tools: escaped

ARTICLE_URL = "tin-tuc/{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "tin-tuc/{date:%Y}/{slug}/index.html"
TAG_URL = "don-vi/{slug}/"
TAG_SAVE_AS = "don-vi/{slug}/index.html"
CATEGORY_URL = "nam/{slug}/"
CATEGORY_SAVE_AS = "nam/{slug}/index.html"
DIRECT_TEMPLATES = ["index", "feed"]
INDEX_SAVE_AS = "index.html"
FEED_SAVE_AS = "feed.xml"
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ARCHIVES_SAVE_AS = ""
PAGE_SAVE_AS = DRAFT_SAVE_AS = DRAFT_PAGE_SAVE_AS = ""
FEED_ATOM = FEED_RSS = FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None

DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"tag": 20, "category": 20}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/trang-{number}/", "{base_name}/trang-{number}/index.html"),
)

# Pelican's own content cache (its documented way to speed up rebuilds); "cold" deletes it.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CACHE_PATH = "cache"
