"""The digit page in real headless Chromium: drawing with mouse and touch, the buttons, the keyboard,
a phone-sized screen, and MNIST test digits drawn as strokes and read through the whole path."""
import json
import time

import numpy as np
import pytest

from mxtorch.apps.digits.model import SHIPPED_PARAMS, DigitClassifier
from mxtorch.apps.digits.server import create_app
from tests.apps.live_server import running_server
from tests.e2e.strokes import digit_strokes, resample

pytestmark = pytest.mark.e2e

IDLE = "document.querySelector('#result').dataset.busy === 'false'"
INK_ON_CANVAS = """(() => { const c = document.getElementById('canvas');
    return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v > 0); })()"""


@pytest.fixture(scope="module")
def app_url():
    # the model that ships with the package, as `mxtorch digits` serves it
    with running_server(create_app(DigitClassifier(SHIPPED_PARAMS))) as url:
        yield url


def _wait(page, expression: str, timeout: float = 30.0) -> None:
    """Poll a JavaScript expression until it is true.

    Playwright's ``wait_for_function`` builds its predicate with ``new Function`` inside the page,
    which the app's Content-Security-Policy (rightly, no 'unsafe-eval') forbids; ``page.evaluate``
    runs through the DevTools protocol, outside the page's policy.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.02)


# Every Content-Security-Policy violation the page causes, recorded from the document's first moment.
RECORD_CSP_VIOLATIONS = """window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
    e => window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));"""


def _watch(page, app_url: str) -> list[str]:
    """Problems the page shows: script errors, requests leaving the app, policy violations in the console."""
    problems = []
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on("request", lambda req: None if req.url.startswith((app_url, "data:"))
            else problems.append(f"request outside the app: {req.url}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}")
            if "Content Security Policy" in msg.text else None)
    return problems


def _check(page, problems: list[str]) -> None:
    assert not problems, problems
    assert page.evaluate("window.cspViolations") == []


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 900, "height": 700})
    page = context.new_page()
    problems = _watch(page, app_url)
    response = page.goto(app_url)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    _wait(page, "document.getElementById('canvas').width > 0")
    yield page
    _check(page, problems)
    context.close()


def _draw(page, strokes, left: float, top: float, size: float) -> None:
    """Draw strokes (in 28x28 field units) with the mouse, the field mapped to a size x size square."""
    box = page.locator("#canvas").bounding_box()
    for stroke in strokes:
        # Pointer samples about 12 CSS px apart, as a hand moving the mouse at a steady pace gives.
        points = resample(np.asarray(stroke) * size / 28 + [box["x"] + left, box["y"] + top], 12.0)
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point)
        page.mouse.up()


def _a_seven():
    return [np.array([[6.0, 7], [21, 7], [13, 23]])]


def _classify(page) -> str:
    page.click("#classify")
    _wait(page, IDLE)
    return page.locator("#result").inner_text()


def test_live_prediction_after_a_stroke(page):
    _draw(page, _a_seven(), 40, 40, 280)
    _wait(page, "document.querySelector('#result').dataset.digit !== undefined", timeout=5.0)
    _wait(page, IDLE)
    text = page.locator("#result").inner_text()
    assert text.startswith("Result: ") and text[-1].isdigit()
    page.wait_for_timeout(300)  # the bars' width transition
    # Rendered widths, as fractions of their tracks: together they show all the probability.
    shares = page.eval_on_selector_all(
        ".bars .fill", "els => els.map(e => e.getBoundingClientRect().width / e.parentElement.clientWidth)")
    assert len(shares) == 10 and abs(sum(shares) - 1) < 0.02
    assert page.get_attribute("#preview", "src").startswith("data:image/png;base64,")
    assert page.eval_on_selector("#preview", "img => img.naturalWidth") == 28


def test_buttons_work_from_the_keyboard(page):
    _draw(page, _a_seven(), 60, 30, 250)
    page.focus("#classify")
    page.keyboard.press("Enter")
    _wait(page, IDLE)
    assert page.locator("#result").inner_text()[-1].isdigit()
    page.keyboard.press("Tab")  # to Clear
    assert page.evaluate("document.activeElement.id") == "clear"
    page.keyboard.press("Space")
    assert page.locator("#result").inner_text() == "Result: \u2013"
    assert page.get_attribute("#preview", "src") is None
    assert page.evaluate(INK_ON_CANVAS) is False


def test_enter_and_escape_shortcuts(page):
    _draw(page, _a_seven(), 50, 50, 200)
    page.locator("body").press("Enter")
    _wait(page, IDLE)
    assert page.locator("#result").inner_text()[-1].isdigit()
    page.locator("body").press("Escape")
    assert page.locator("#result").inner_text() == "Result: \u2013"


def test_content_security_policy_is_enforced(browser, app_url):
    """The policy is in force (an injected inline script is blocked and reported), so the other tests'
    empty violation lists mean the working page needs nothing it forbids."""
    context = browser.new_context()
    page = context.new_page()
    problems = _watch(page, app_url)
    page.goto(app_url)
    _wait(page, "document.getElementById('canvas').width > 0")
    ran = page.evaluate("""() => { const s = document.createElement("script");
        s.textContent = "window.injected = true"; document.head.appendChild(s);
        return window.injected === true; }""")
    assert ran is False
    _wait(page, "window.cspViolations.length > 0")
    assert page.evaluate("window.cspViolations")[0].startswith("script-src")
    assert any("Content Security Policy" in problem for problem in problems)
    context.close()


def test_blank_canvas_shows_the_servers_message(page):
    assert _classify(page) == "Result: \u2013"
    assert "blank" in page.locator("#message").inner_text()


def test_phone_screen_with_a_finger(browser, app_url, artifacts):
    context = browser.new_context(viewport={"width": 375, "height": 667}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = _watch(page, app_url)
    page.goto(app_url)
    _wait(page, "document.getElementById('canvas').width > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = page.locator("#canvas").bounding_box()
    assert box["width"] == pytest.approx(box["height"]) and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.getElementById('canvas').width") == round(box["width"] * 2)
    cdp = context.new_cdp_session(page)
    points = [(box["x"] + 100 + 4 * i, box["y"] + 50 + 12 * i) for i in range(20)]
    for kind, (x, y) in [("touchStart", points[0])] + [("touchMove", p) for p in points[1:]]:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    _wait(page, "document.querySelector('#result').dataset.digit !== undefined", timeout=5.0)
    _wait(page, IDLE)
    assert page.evaluate("window.scrollY") == 0  # the finger drew; the page did not scroll
    page.screenshot(path=str(artifacts / "digits-phone.png"), full_page=True)
    _check(page, problems)
    context.close()


# Canvas is 360 CSS px: digits drawn at these field sizes (the 28x28 field; the digit is ~20/28 of it).
SIZES = (150.0, 220.0, 290.0, 360.0)
COUNT = 120


def test_mnist_digits_drawn_as_strokes_are_read(page, mnist_test, artifacts):
    images, labels = mnist_test
    rng = np.random.default_rng(2017)
    side = page.locator("#canvas").bounding_box()["width"]
    results = []
    for k in range(COUNT):
        size = SIZES[k % len(SIZES)] * side / 360
        # Off-centre: anywhere the digit's 20x20 core stays on the canvas.
        margin = size * 4 / 28
        left, top = rng.uniform(-margin, side - size + margin, size=2)
        page.click("#clear")
        _draw(page, digit_strokes(images[k]), left, top, size)
        text = _classify(page)
        read = int(text[-1]) if text[-1].isdigit() else None
        results.append({"index": k, "label": int(labels[k]), "read": read, "size": round(size),
                        "left": round(left), "top": round(top)})
        if k < len(SIZES):
            page.wait_for_timeout(200)  # let the bars finish their transition
            page.screenshot(path=str(artifacts / f"digits-mnist-{k}.png"))
    wrong = [r for r in results if r["read"] != r["label"]]
    accuracy = 1 - len(wrong) / len(results)
    (artifacts / "digits-mnist.json").write_text(json.dumps({"accuracy": accuracy, "wrong": wrong,
                                                             "results": results}, indent=1))
    assert accuracy >= 0.97, f"{accuracy:.3f} read correctly; misread: {wrong}"


BARS_TOP = "document.getElementById('bars').getBoundingClientRect().top"
PERCENTS = "[...document.querySelectorAll('#bars .pct')].map(e => e.textContent)"


def test_answer_is_shown_honestly_without_moving_the_bars(page):
    assert page.evaluate(PERCENTS) == ["\u2013"] * 10  # no answer yet: no numbers
    top = page.evaluate(BARS_TOP)
    _draw(page, _a_seven(), 60, 40, 280)
    _classify(page)
    assert page.evaluate(BARS_TOP) == top  # the message line appeared in space kept for it
    shown = page.evaluate(PERCENTS)
    assert all(p.endswith("%") for p in shown) and "100.0%" not in shown
    assert all(p in (">99.9%", "<0.1%") or len(p.split(".")[1]) == 2 for p in shown)  # one decimal
    message = page.locator("#message").inner_text()
    assert "next is" in message or message.startswith("Not sure:")
    assert "100.0%" not in message


def test_empty_preview_is_a_dashed_frame_not_a_black_square(page):
    style = "getComputedStyle(document.querySelector('.frame'))"
    assert page.evaluate(f"{style}.borderTopStyle") == "dashed"
    assert page.evaluate(f"{style}.backgroundColor") != "rgb(0, 0, 0)"
    _draw(page, _a_seven(), 60, 40, 280)
    _classify(page)
    assert page.evaluate(f"{style}.backgroundColor") == "rgb(0, 0, 0)"


def test_subtitle_and_footer_speak_plainly(page, app_url):
    _wait(page, "document.getElementById('model').textContent.includes('running on')")
    subtitle = page.locator("#model").inner_text()
    assert subtitle.startswith("A LeNet network") and "the CPU" in subtitle and "cpu(0)" not in subtitle
    footer = page.locator("footer")
    assert "POST /api/predict" in footer.inner_text() and "image" in footer.inner_text()
    api = footer.locator("a[href='/openapi.json']")
    assert api.count() == 1
    assert page.request.get(app_url + "/openapi.json").ok


@pytest.mark.parametrize("name, viewport", [("phone", {"width": 390, "height": 844}),
                                            ("desktop", {"width": 1280, "height": 800})])
def test_screenshots_after_an_answer(browser, app_url, artifacts, name, viewport):
    """Screenshots at phone and desktop sizes, for a person to look at (test-artifacts/)."""
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    problems = _watch(page, app_url)
    page.goto(app_url)
    _wait(page, "document.getElementById('canvas').width > 0")
    page.screenshot(path=str(artifacts / f"digits-{name}-empty.png"))
    side = page.locator("#canvas").bounding_box()["width"]
    _draw(page, _a_seven(), side * 0.15, side * 0.1, side * 0.75)
    _classify(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    hint = page.locator(".hint").bounding_box()
    assert hint["height"] < 60  # two short lines, not a ragged wrap
    page.wait_for_timeout(400)  # the bars' 120 ms width transition ends before the picture
    page.screenshot(path=str(artifacts / f"digits-{name}-answer.png"), full_page=True)
    # the drawing survives the capture's viewport changes (and, were the browser to drop the
    # canvas's bitmap meanwhile, comes back when the page redraws its strokes)
    _wait(page, INK_ON_CANVAS, timeout=5.0)
    _check(page, problems)
    context.close()


# The canvas's alpha channel, row by row: what was drawn, pixel for pixel.
ALPHA = """(() => { const c = document.getElementById('canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    return [c.width, Array.from(d.filter((v, i) => i % 4 === 3))]; })()"""


def test_drawing_survives_turning_the_phone(browser, app_url):
    """A phone turned to landscape and back, a narrow window, the drawing area collapsed for a
    moment: the digit comes back as it was drawn, pixel for pixel (the page redraws its strokes;
    scaling the old bitmap thickened and blurred the digit at every turn)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                  has_touch=True)
    page = context.new_page()
    problems = _watch(page, app_url)
    page.goto(app_url)
    _wait(page, "document.getElementById('canvas').width > 0")
    side = page.locator("#canvas").bounding_box()["width"]
    _draw(page, _a_seven(), side * 0.15, side * 0.1, side * 0.75)
    width, drawn = page.evaluate(ALPHA)
    widths = []
    for size in [(844, 390), (390, 844), (844, 390), (300, 640), (390, 844)]:
        page.set_viewport_size({"width": size[0], "height": size[1]})
        # the page has seen the resize: its bitmap matches the canvas's new size on the screen
        _wait(page, f"innerWidth === {size[0]} && document.getElementById('canvas').width === "
                    f"Math.round(document.getElementById('canvas').getBoundingClientRect().width)")
        widths.append(page.evaluate("document.getElementById('canvas').width"))
        assert page.evaluate(INK_ON_CANVAS), size
    assert len(set(widths)) == 3 and widths[-1] == width  # 360 in landscape, 276 narrow, back to 359
    page.evaluate("document.querySelector('.pad').style.width = '0px'")
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    page.evaluate("document.querySelector('.pad').style.width = ''")
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    now_width, now = page.evaluate(ALPHA)
    changed = sum(a != b for a, b in zip(now, drawn))
    assert now_width == width and changed == 0, f"{changed} of {len(drawn)} pixels changed"
    assert _classify(page) == "Result: 7"
    _check(page, problems)
    context.close()
