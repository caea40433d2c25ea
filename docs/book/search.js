// Search for both books, on Pagefind's index (https://pagefind.app), which
// `cargo xtask book` builds after mdBook. mdBook's own search splits words on
// whitespace, so it finds no Chinese word at all (rust-lang/mdBook#1081).
//
// The index holds every Chinese character as a word of its own (see index() in
// xtask/src/book.rs for why), so the query is cut the same way: 进程池 is
// searched as 进 程 池. Pages holding the exact sequence come first (a phrase
// search), then pages holding all the characters, each group in Pagefind's
// order.
//
// A button in the menu bar (or the key S or /) opens a search box above the
// chapter; `?search=WORDS` in the address opens it with WORDS searched.
(function () {
    "use strict";
    const zh = document.documentElement.lang.toLowerCase().startsWith("zh");
    const text = zh
        ? {
              button: "搜索（S 或 /）",
              placeholder: "搜索本书",
              results: (n) => `找到 ${n} 个结果`,
              none: "没有找到结果",
              file: "搜索需要通过 http 打开本书：运行 cargo xtask book --serve，再打开它给出的地址。",
              failed: "搜索索引加载失败：",
          }
        : {
              button: "Search (S or /)",
              placeholder: "Search this book",
              results: (n) => (n === 1 ? "1 result" : `${n} results`),
              none: "No results",
              file: "Search needs the book served over http: run cargo xtask book --serve and open the address it prints.",
              failed: "The search index failed to load: ",
          };
    const root = new URL(path_to_root || "./", document.baseURI).href;
    const MAX_RESULTS = 10;

    const bar = document.querySelector("#mdbook-menu-bar .left-buttons");
    const content = document.getElementById("mdbook-content");
    if (!bar || !content) {
        return;
    }
    const button = document.createElement("button");
    button.id = "book-search-toggle";
    button.className = "icon-button";
    button.type = "button";
    button.title = text.button;
    button.setAttribute("aria-label", text.button);
    button.setAttribute("aria-expanded", "false");
    button.innerHTML =
        '<svg viewBox="0 0 512 512" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M416 208c0 45.9-14.9 88.3-40 122.7L502.6 457.4c12.5 12.5 12.5 32.8 0 45.3s-32.8 12.5-45.3 0L330.7 376c-34.4 25.2-76.8 40-122.7 40C93.1 416 0 322.9 0 208S93.1 0 208 0S416 93.1 416 208zM208 352a144 144 0 1 0 0-288 144 144 0 1 0 0 288z"/></svg>';
    bar.appendChild(button);

    const panel = document.createElement("div");
    panel.id = "book-search";
    panel.hidden = true;
    panel.innerHTML =
        '<input type="search" autocomplete="off"><p class="book-search-message" aria-live="polite"></p><ol class="book-search-results"></ol>';
    content.parentNode.insertBefore(panel, content);
    const input = panel.querySelector("input");
    const message = panel.querySelector(".book-search-message");
    const list = panel.querySelector(".book-search-results");
    input.placeholder = text.placeholder;
    input.setAttribute("aria-label", text.placeholder);

    let pagefind = null;
    function load() {
        if (!pagefind) {
            pagefind = import(root + "pagefind/pagefind.js").then(async (pf) => {
                await pf.options({ excerptLength: 24 });
                await pf.init();
                return pf;
            });
        }
        return pagefind;
    }

    // A space between two Chinese characters: the words of the index.
    const han = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])(?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])/g;
    const words = (query) => query.replace(/["“”]/g, " ").replace(han, "$1 ").trim();
    // The index's copy of the pages has invisible spaces between Chinese
    // characters: drop them, join the marks of neighbouring characters, and
    // when the query has a Chinese word of two characters or more, unmark
    // lone characters (程 of 程序, when 线程 was searched).
    let longWord = false;
    const clean = (html) => {
        html = (html || "").replace(/\u200b/g, "").replace(/<\/mark><mark>/g, "");
        if (longWord) {
            html = html.replace(/<mark>([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])<\/mark>/g, "$1");
        }
        return html;
    };
    // Titles are text, not HTML.
    const plain = (title) => (title || "").replace(/\u200b/g, "");

    let latest = 0;
    async function search(query) {
        const mine = ++latest;
        const terms = words(query);
        longWord = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2}/.test(query);
        panel.dataset.state = "searching";
        if (!terms) {
            message.textContent = "";
            list.replaceChildren();
            panel.dataset.state = "done";
            return;
        }
        let pf;
        try {
            pf = await load();
        } catch (e) {
            message.textContent = text.failed + e;
            panel.dataset.state = "failed";
            return;
        }
        const [loose, exact] = await Promise.all([
            pf.search(terms),
            terms.includes(" ") ? pf.search(`"${terms}"`) : null,
        ]);
        if (mine !== latest) {
            return; // a newer query is on its way
        }
        const first = new Set((exact ? exact.results : []).map((r) => r.id));
        const ordered = [
            ...loose.results.filter((r) => first.has(r.id)),
            ...loose.results.filter((r) => !first.has(r.id)),
        ];
        const pages = await Promise.all(ordered.slice(0, MAX_RESULTS).map((r) => r.data()));
        if (mine !== latest) {
            return;
        }
        message.textContent = ordered.length ? text.results(ordered.length) : text.none;
        list.replaceChildren(...pages.map(result));
        panel.dataset.state = "done";
    }

    function result(page) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.className = "book-search-title";
        link.href = page.url;
        link.textContent = plain(page.meta.title);
        item.appendChild(link);
        // The chapter's own heading is the result itself, not a section of it.
        const sections = (page.sub_results || [])
            .filter((s) => plain(s.title) !== link.textContent)
            .slice(0, 3);
        if (sections.length === 0) {
            const excerpt = document.createElement("p");
            excerpt.innerHTML = clean(page.excerpt);
            item.appendChild(excerpt);
        }
        if (sections.length) {
            const sub = document.createElement("ul");
            for (const section of sections) {
                const li = document.createElement("li");
                const a = document.createElement("a");
                a.href = section.url;
                a.textContent = plain(section.title);
                const excerpt = document.createElement("p");
                excerpt.innerHTML = clean(section.excerpt);
                li.append(a, excerpt);
                sub.appendChild(li);
            }
            item.appendChild(sub);
        }
        return item;
    }

    let timer = null;
    input.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => search(input.value), 150);
    });

    function open(query) {
        panel.hidden = false;
        button.setAttribute("aria-expanded", "true");
        if (location.protocol === "file:") {
            message.textContent = text.file;
            return;
        }
        if (query) {
            input.value = query;
            search(query);
        }
        input.focus();
    }

    function close() {
        panel.hidden = true;
        button.setAttribute("aria-expanded", "false");
    }

    button.addEventListener("click", () => (panel.hidden ? open("") : close()));
    document.addEventListener("keydown", (e) => {
        const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.target.isContentEditable;
        if (e.altKey || e.ctrlKey || e.metaKey) {
            return;
        }
        if (!typing && (e.key === "s" || e.key === "S" || e.key === "/")) {
            e.preventDefault();
            open("");
        } else if (e.key === "Escape" && !panel.hidden) {
            close();
        }
    });

    const query = new URLSearchParams(location.search).get("search");
    if (query) {
        open(query);
    }
})();
