// Search for both books: Pagefind (https://pagefind.app), whose index
// `cargo xtask book` builds after mdBook. mdBook's own search splits words on
// whitespace and so finds no Chinese word at all (rust-lang/mdBook#1081);
// Pagefind segments Chinese text into words, in the index and in the query.
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
              file: "搜索需要通过 http 打开本书：运行 cargo xtask book --serve，再打开它给出的地址。",
              failed: "搜索索引加载失败：",
          }
        : {
              button: "Search (S or /)",
              placeholder: "Search this book",
              file: "Search needs the book served over http: run cargo xtask book --serve and open the address it prints.",
              failed: "The search index failed to load: ",
          };
    const root = new URL(path_to_root || "./", document.baseURI).href;

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
    content.parentNode.insertBefore(panel, content);

    let ui = null;
    function load(then) {
        if (ui) {
            then();
            return;
        }
        if (location.protocol === "file:") {
            panel.textContent = text.file;
            return;
        }
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = root + "pagefind/pagefind-ui.css";
        document.head.appendChild(css);
        const script = document.createElement("script");
        script.src = root + "pagefind/pagefind-ui.js";
        script.onload = function () {
            ui = new PagefindUI({
                element: "#book-search",
                bundlePath: root + "pagefind/",
                showImages: false,
                showSubResults: true,
                resetStyles: false,
                translations: { placeholder: text.placeholder },
            });
            then();
        };
        script.onerror = function () {
            panel.textContent = text.failed + script.src;
        };
        document.head.appendChild(script);
    }

    function focus() {
        const input = panel.querySelector("input");
        if (input) {
            input.focus();
        }
    }

    function open(term) {
        panel.hidden = false;
        button.setAttribute("aria-expanded", "true");
        load(function () {
            if (term) {
                ui.triggerSearch(term);
            }
            focus();
        });
    }

    function close() {
        panel.hidden = true;
        button.setAttribute("aria-expanded", "false");
    }

    button.addEventListener("click", function () {
        if (panel.hidden) {
            open("");
        } else {
            close();
        }
    });
    document.addEventListener("keydown", function (e) {
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

    const term = new URLSearchParams(location.search).get("search");
    if (term) {
        open(term);
    }
})();
