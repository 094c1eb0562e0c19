/*
 * A minimal formatted-text editor for notes, reflections and exchanges.
 *
 * Progressive enhancement: the page ships a plain <textarea name="body"> that
 * works without JavaScript. Here a contenteditable area with a toolbar (bold,
 * italic, heading, bulleted and numbered list, quote) takes its place and
 * keeps the textarea in step; the server cleans whatever arrives
 * (learning.richtext.clean_html) before storing it.
 *
 * What is put into the area is rebuilt from an inert parse, keeping only the
 * formatting tags the server allows, so markup never runs here either.
 */
(function () {
  "use strict";

  var KEEP = {
    P: true, BR: true, STRONG: true, B: true, EM: true, I: true, U: true, S: true,
    H3: true, H4: true, BLOCKQUOTE: true, UL: true, OL: true, LI: true, A: true, HR: true,
    DIV: true // becomes a paragraph
  };
  var DROP = {
    SCRIPT: true, STYLE: true, TEMPLATE: true, IFRAME: true, OBJECT: true, EMBED: true,
    NOSCRIPT: true, SVG: true, MATH: true, TEXTAREA: true, SELECT: true, TITLE: true
  };
  var SAFE_HREF = /^(https?:|mailto:)/i;

  function copyAllowed(from, to) {
    Array.prototype.forEach.call(from.childNodes, function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        to.appendChild(document.createTextNode(node.nodeValue));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) {
        return;
      }
      var tag = node.nodeName.toUpperCase();
      if (DROP[tag]) {
        return;
      }
      if (!KEEP[tag]) {
        copyAllowed(node, to); // unknown wrapper: keep its text
        return;
      }
      var element = document.createElement(tag === "DIV" ? "p" : tag.toLowerCase());
      if (tag === "A") {
        var href = (node.getAttribute("href") || "").trim();
        if (SAFE_HREF.test(href)) {
          element.setAttribute("href", href);
        }
        element.setAttribute("rel", "noopener noreferrer nofollow");
      }
      copyAllowed(node, element);
      to.appendChild(element);
    });
  }

  function paragraphsFromText(text) {
    var fragment = document.createDocumentFragment();
    text.replace(/\r\n?/g, "\n").split(/\n\s*\n/).forEach(function (part) {
      part = part.trim();
      if (!part) {
        return;
      }
      var paragraph = document.createElement("p");
      part.split("\n").forEach(function (line, index) {
        if (index) {
          paragraph.appendChild(document.createElement("br"));
        }
        paragraph.appendChild(document.createTextNode(line));
      });
      fragment.appendChild(paragraph);
    });
    return fragment;
  }

  /* The textarea's text as safe nodes: HTML from the server, or plain text typed without us. */
  function safeContent(source) {
    if (!/<[a-z\/][^>]*>/i.test(source)) {
      return paragraphsFromText(source);
    }
    var parsed = new DOMParser().parseFromString(source, "text/html"); // inert: nothing runs
    var fragment = document.createDocumentFragment();
    copyAllowed(parsed.body, fragment);
    return fragment;
  }

  function isBlank(area) {
    return area.textContent.trim() === "" && !area.querySelector("hr, li");
  }

  function setUp(wrapper) {
    var textarea = wrapper.querySelector("textarea");
    var area = wrapper.querySelector("[data-editor-area]");
    var toolbar = wrapper.querySelector("[data-editor-toolbar]");
    if (!textarea || !area || !toolbar || typeof document.execCommand !== "function") {
      return; // the plain textarea stays
    }
    var form = textarea.form;
    var buttons = toolbar.querySelectorAll("[data-command]");
    var savedRange = null;

    area.appendChild(safeContent(textarea.value));
    if (!area.firstChild) {
      area.innerHTML = "<p><br></p>";
    }

    function sync() {
      textarea.value = isBlank(area) ? "" : area.innerHTML;
      area.classList.toggle("is-blank", isBlank(area));
    }

    function currentBlock() {
      var value = String(document.queryCommandValue("formatBlock") || "").toLowerCase();
      return value.replace(/[<>]/g, "");
    }

    function refreshButtons() {
      var inside = savedRange !== null;
      Array.prototype.forEach.call(buttons, function (button) {
        var command = button.getAttribute("data-command");
        var on = false;
        if (inside) {
          try {
            if (command === "heading") {
              on = currentBlock() === "h3";
            } else if (command === "quote") {
              on = currentBlock() === "blockquote";
            } else {
              on = document.queryCommandState(command);
            }
          } catch (error) {
            on = false;
          }
        }
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }

    function restoreSelection() {
      area.focus();
      if (savedRange) {
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(savedRange);
      }
    }

    function run(command) {
      restoreSelection();
      if (command === "heading") {
        document.execCommand("formatBlock", false, currentBlock() === "h3" ? "<p>" : "<h3>");
      } else if (command === "quote") {
        document.execCommand(
          "formatBlock", false, currentBlock() === "blockquote" ? "<p>" : "<blockquote>"
        );
      } else {
        document.execCommand(command, false, null);
      }
      sync();
      refreshButtons();
    }

    document.addEventListener("selectionchange", function () {
      var selection = window.getSelection();
      if (selection.rangeCount && area.contains(selection.getRangeAt(0).commonAncestorContainer)) {
        savedRange = selection.getRangeAt(0).cloneRange();
        refreshButtons();
      }
    });

    Array.prototype.forEach.call(buttons, function (button) {
      // Keep the text selected when a button is pressed (mouse and touch alike).
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { run(button.getAttribute("data-command")); });
    });

    area.addEventListener("focus", function () {
      try {
        document.execCommand("defaultParagraphSeparator", false, "p");
        document.execCommand("styleWithCSS", false, false);
      } catch (error) {
        // Older engines: their defaults are fine.
      }
    });
    area.addEventListener("input", sync);
    area.addEventListener("paste", function (event) {
      // Pasted text comes in plain: other sites' styles and markup stay out.
      var text = (event.clipboardData || window.clipboardData).getData("text/plain");
      event.preventDefault();
      document.execCommand("insertText", false, text);
    });
    area.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey) {
        var key = event.key.toLowerCase();
        if (key === "b" || key === "i") {
          event.preventDefault();
          run(key === "b" ? "bold" : "italic");
        }
      }
    });

    var label = document.getElementById(area.getAttribute("aria-labelledby"));
    if (label) {
      label.addEventListener("click", function (event) {
        event.preventDefault();
        area.focus();
      });
    }

    if (form) {
      form.addEventListener("submit", function () {
        sync();
        var submit = form.querySelector("[data-submit]");
        if (submit) {
          // One click, one note: a second tap while the page loads sends nothing.
          window.setTimeout(function () { submit.disabled = true; }, 0);
        }
      });
      window.addEventListener("pageshow", function () {
        var submit = form.querySelector("[data-submit]");
        if (submit) {
          submit.disabled = false;
        }
      });
    }

    wrapper.classList.add("is-enhanced");
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;
    toolbar.hidden = false;
    area.hidden = false;
    sync();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-editor]"), setUp);
})();
