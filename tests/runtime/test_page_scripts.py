"""Python on a page with no JS (docs/page.md): <script type="py"> run by the loader, in Chromium,
checked by what the page shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.pages import open_page, outputs

pytestmark = pytest.mark.chromium


def test_scripts_run_in_order_in_one_namespace(page: Any, site: Any) -> None:
    (site[1] / "app.py").write_text("from pinnace.web import display\ndisplay(f'app.py sees x = {x}')\n")
    errors = open_page(page, site, """
        <script type="py">
            from pinnace.web import display
            x = 41
            display("first", 42)
        </script>
        <script type="py" src="app.py"></script>
        <script type="py">
            import asyncio
            await asyncio.sleep(0.05)   # top-level await; the next script waits for it
            x += 1
        </script>
        <script type="py">
            display(f"x = {x}")
        </script>
    """, scripts=4)
    assert outputs(page) == [["first", "42"], ["app.py sees x = 41"], [], ["x = 42"]]
    assert errors == []


def test_an_error_is_shown_after_its_script_and_the_next_scripts_run(page: Any, site: Any) -> None:
    errors = open_page(page, site, """
        <script type="py">
            def boom():
                return 1 / 0
            boom()
        </script>
        <script type="py" id="later">
            from pinnace.web import display
            display("still running")
        </script>
    """, scripts=2)
    shown = page.inner_text("pre.py-error")
    assert shown.splitlines()[0] == "Traceback (most recent call last):"
    assert 'File "<script 1>", line 3, in <module>' in shown
    assert 'File "<script 1>", line 2, in boom' in shown
    assert shown.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "pinnace" not in shown and "python313.zip" not in shown  # only the user's frames
    assert outputs(page)[1] == ["still running"]
    assert len([e for e in errors if "ZeroDivisionError" in e]) == 1  # on the console, once


def test_display_shows_the_richest_representation(page: Any, site: Any) -> None:
    open_page(page, site, """
        <div id="here"><p>replaced</p></div>
        <script type="py">
            from pinnace.web import display
            import base64
            PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")
            class Html:
                def _repr_html_(self): return "<b class='rich'>bold</b>"
            class Svg:
                def _repr_svg_(self): return "<svg class='pic' width='4' height='4'></svg>"
            class Png:
                def _repr_png_(self): return PNG
            class Plain:
                def __repr__(self): return "Plain()"
            class Md:
                def _repr_markdown_(self):
                    tag = "script"  # (a literal closing tag would end this page's script element)
                    return f"## Notes\\n\\n- **bold** `code`\\n- [a link](https://example.org)\\n\\n<{tag}>document.title = 'ran'</{tag}>"
            display("<i>a str is text</i>", Html(), Svg(), Png(), Plain(), Md())
            display("only this", target="here", append=False)
        </script>
    """, scripts=1)
    out = page.evaluate("""() => {
        const o = document.querySelector('.py-output');
        return { texts: [...o.children].map((c) => c.textContent),
                 bold: o.querySelector('b.rich')?.textContent ?? null,
                 svg: !!o.querySelector('svg.pic'),
                 img: o.querySelector('img')?.src.slice(0, 22) ?? null,
                 italic: !!o.querySelector('i'),
                 md: [...o.querySelectorAll('h2, li strong, li code, li a')].map((e) => e.tagName + ':' + e.textContent),
                 href: o.querySelector('li a')?.getAttribute('href') ?? null, title: document.title,
                 here: document.getElementById('here').textContent };
    }""")
    texts = out.pop("texts")
    assert texts[:5] == ["<i>a str is text</i>", "bold", "", "", "Plain()"]
    md = texts[5]
    assert out.pop("md") == ["H2:Notes", "STRONG:bold", "CODE:code", "A:a link"]
    assert out.pop("href") == "https://example.org" and out.pop("title") == ""  # the script is text
    assert "<script>" in md
    assert out == {"bold": "bold", "svg": True, "img": "data:image/png;base64,", "italic": False,
                   "here": "only this"}  # fmt: skip


def test_when_binds_sync_and_async_handlers_without_leaking(page: Any, site: Any) -> None:
    open_page(page, site, """
        <button id="sync">sync</button>
        <div id="list"></div>
        <script type="py">
            import asyncio, gc, _pinnace_ffi
            from pinnace import web
            from pinnace.web import display, when, page
            counts = {"sync": 0, "async": 0}
            @when("click", "#sync")
            def on_sync():
                counts["sync"] += 1
            @when("click", ".item")
            async def on_item(event):
                await asyncio.sleep(0)
                counts["async"] += 1
                event.target.remove()
            @when("click", "#bad")
            def on_bad(event):
                raise ValueError("handler failed")
            def live():
                gc.collect()
                return _pinnace_ffi.handle_count()
        </script>
    """, scripts=1)
    before = page.evaluate("() => pinnace.ready.then((py) => py.runPython('live()'))")
    page.evaluate("""() => {
        const list = document.getElementById('list');
        for (let i = 0; i < 200; i++) {
            const b = document.createElement('button');
            b.className = 'item';
            list.append(b);
        }
        document.getElementById('sync').click();
        document.getElementById('sync').click();
        for (const b of [...list.children]) b.click();
    }""")
    page.wait_for_function("() => document.querySelectorAll('.item').length === 0")
    page.wait_for_timeout(100)
    got = page.evaluate("""() => pinnace.ready.then((py) => JSON.parse(py.runPython(
        'import json; json.dumps([counts, live(), len(web._bindings)])')))""")
    counts, after, bindings = got
    assert counts == {"sync": 2, "async": 200}
    assert after == before and bindings == 3  # one listener per binding, none per element
    # an exception in a handler is shown on the page, after the script that bound it
    page.evaluate("() => { const b = document.createElement('button'); b.id = 'bad'; document.body.append(b); b.click(); }")
    page.wait_for_selector("pre.py-error")
    error = page.inner_text("pre.py-error")
    assert 'in on_bad' in error and error.rstrip().endswith("ValueError: handler failed")


def test_a_script_added_later_runs_and_js_joins_in(page: Any, site: Any) -> None:
    open_page(page, site, """
        <script type="py">
            greeting = "hello"
        </script>
        <script>
            document.addEventListener("pinnace:ready", (e) => { window.readyEvent = e.detail.pinnace.version; });
        </script>
    """, scripts=1)
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.type = 'py';
        s.textContent = 'from pinnace.web import display\\ndisplay(greeting + " again")';
        document.body.append(s);
    }""")
    page.wait_for_function("() => document.querySelectorAll('script[data-pinnace-done]').length === 2")
    assert outputs(page) == [[], ["hello again"]]
    assert page.evaluate("() => pinnace.ready.then((py) => py.runPython('greeting'))") == "hello"
    assert page.evaluate("() => window.readyEvent") == page.evaluate("() => pinnace.ready.then((py) => py.version)")


def test_config_installs_packages_and_fetches_files_first(page: Any, site: Any) -> None:
    (site[1] / "data.csv").write_text("a,b\n1,2\n")
    config = json.dumps({"packages": ["sniffio"], "files": {"data.csv": "/data/in/data.csv"}})
    open_page(page, site, f"""
        <script type="py" config='{config}'>
            import importlib.util
            from pinnace.web import display
            display(importlib.util.find_spec("sniffio") is not None, open("/data/in/data.csv").read().split())
            import sniffio
            display(sniffio.__name__)
        </script>
    """, scripts=1)
    assert outputs(page) == [["True", "['a,b', '1,2']", "sniffio"]]


def test_the_es_module_runs_scripts_too(page: Any, site: Any) -> None:
    open_page(page, site, """
        <script type="py">
            from pinnace.web import display
            display("from the module's loader")
        </script>
    """, scripts=1, loader='<script type="module" src="dist/pinnace.mjs"></script>')
    assert outputs(page) == [["from the module's loader"]]


def test_display_of_a_data_frame_and_a_figure(page: Any, site: Any) -> None:
    open_page(page, site, """
        <script type="py">
            import pandas as pd
            import matplotlib.pyplot as plt
            from pinnace.web import display
            df = pd.DataFrame({"city": ["Paris", "Lyon"], "people": [2_100_000, 520_000]})
            fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
            ax.bar(df.city, df.people)
            display(df, fig)
        </script>
    """, scripts=1)
    out = page.evaluate("""() => {
        const o = document.querySelector('.py-output');
        const img = o.querySelector('img');
        return { cells: [...o.querySelectorAll('table td')].map((td) => td.textContent),
                 width: img ? img.naturalWidth : null, png: img ? img.src.startsWith('data:image/png') : false };
    }""")
    assert out["cells"] == ["Paris", "2100000", "Lyon", "520000"]
    assert out["png"] is True and out["width"] == 100  # 2 inches at 50 dpi


DOC = Path(__file__).resolve().parents[2] / "docs" / "page.md"
BLOCK = r"(?:(?!```).)*?"


def doc_examples() -> list[tuple[str, str]]:
    """docs/page.md's ```html blocks that a ```text block follows: the page and what it shows."""
    import re

    pairs = re.finditer(rf"```html\n(?P<page>{BLOCK})```\n\n```text\n(?P<shown>{BLOCK})```", DOC.read_text(), re.S)
    return [(m["page"], m["shown"]) for m in pairs]


@pytest.mark.parametrize(("html", "shown"), doc_examples(), ids=[f"page.md#{i + 1}" for i in range(len(doc_examples()))])
def test_doc_example(page: Any, request: pytest.FixtureRequest, html: str, shown: str) -> None:
    """What Python shows on the page (every display and error, in document order) is the text
    the docs say.  A page that starts with `<!-- isolated -->` is served cross-origin isolated."""
    site = request.getfixturevalue("isolated_site" if html.startswith("<!-- isolated -->") else "site")
    open_page(page, site, html, scripts=html.count('<script type="py"'), loader="")
    text = page.evaluate("""() => [...document.querySelectorAll('.py-display, .py-error')]
        .map((e) => e.textContent.replace(/\\n+$/, '')).join('\\n') + '\\n'""")
    assert text == shown


def test_the_docs_have_page_examples() -> None:
    assert len(doc_examples()) >= 3


def test_plt_show_draws_after_its_script(page: Any, site: Any) -> None:
    open_page(page, site, """
        <script type="py">
            import matplotlib.pyplot as plt
            plt.figure(figsize=(2, 1))
            plt.plot([1, 2, 3])
            plt.show()
        </script>
        <p id="after">after the scripts</p>
    """, scripts=1)
    where = page.evaluate("""() => {
        const canvas = document.querySelector('canvas');
        return canvas ? [canvas.parentElement.className,
                         canvas.parentElement.previousElementSibling.tagName] : null;
    }""")
    assert where == ["py-output", "SCRIPT"]


def test_input_asks_with_the_browsers_prompt(page: Any, site: Any) -> None:
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        if len(asked) == 1:
            dialog.accept("Ada")
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    open_page(page, site, """
        <script type="py">
            from pinnace.web import display
            display(f"hello {input('Your name? ')}")
            try:
                input("Again? ")
            except EOFError as e:
                display(f"EOFError: {e}")
        </script>
    """, scripts=1)
    assert asked == ["Your name? ", "Again? "]
    assert outputs(page) == [["hello Ada", "EOFError: input(): the user cancelled the prompt"]]
