// Eleventy side of bench/build_bench.py: the same minimal site as bench/peers/*/ (article, home,
// per-unit and per-year indexes paginated by 20, one Atom feed of the latest 20 posts).
// The posts are bench/sitegen.py's files as they are (YAML front-matter); the per-unit and
// per-year pages are custom collections of 20-post chunks, paginated one chunk per page.
const PER_PAGE = 20;

function two(n) {
  return String(n).padStart(2, "0");
}

module.exports = function (cfg) {
  const posts = (api) => api.getFilteredByGlob("./tin-tuc/**/*.md").sort((a, b) => b.date - a.date);

  function chunked(api, keysOf, base) {
    const groups = new Map();
    for (const post of posts(api)) {
      for (const key of keysOf(post)) {
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(post);
      }
    }
    const pages = [];
    for (const key of [...groups.keys()].sort()) {
      const list = groups.get(key);
      const total = Math.ceil(list.length / PER_PAGE);
      const href = (n) => `/${base}/${key}/` + (n > 1 ? `trang-${n}/` : "");
      for (let n = 1; n <= total; n++) {
        pages.push({
          key, number: n, total, count: list.length, href: href(n),
          posts: list.slice((n - 1) * PER_PAGE, n * PER_PAGE),
          prev: n > 1 ? href(n - 1) : null, next: n < total ? href(n + 1) : null,
        });
      }
    }
    return pages;
  }

  cfg.addCollection("latest", (api) => posts(api).slice(0, PER_PAGE));
  cfg.addCollection("unitPages", (api) => chunked(api, (p) => p.data.units, "don-vi"));
  cfg.addCollection("yearPages", (api) => chunked(api, (p) => [String(p.date.getUTCFullYear())], "nam"));
  cfg.addGlobalData("siteTitle", "Tin tức Mặt trận và các đoàn thể");
  cfg.addGlobalData("siteUrl", "https://example.gov.vn");
  cfg.addFilter("ymd", (d) => `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`);
  cfg.addFilter("dmy", (d) => `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`);
  cfg.addFilter("iso", (d) => d.toISOString());

  return {
    dir: { input: ".", output: "_site" },
    templateFormats: ["md", "njk"],
    markdownTemplateEngine: false,  // posts are Markdown, not templates
    htmlTemplateEngine: "njk",
  };
};
