// The drawing page: pointer strokes on a canvas, sent to POST /api/predict as a PNG data URL.
"use strict";

(function () {
  const LIVE_DELAY_MS = 300; // live prediction this long after the last stroke ends
  // Pen width relative to the canvas side: a digit drawn across most of the canvas then has strokes
  // about as wide as MNIST's (1.5-2.5 px at 28x28), and a small one is not yet too thick to read.
  const LINE_WIDTH_FRACTION = 1 / 20;

  const canvas = document.getElementById("canvas");
  const ctx = canvas.getContext("2d");
  const resultEl = document.getElementById("result");
  const messageEl = document.getElementById("message");
  const barsEl = document.getElementById("bars");
  const previewEl = document.getElementById("preview");
  const classifyBtn = document.getElementById("classify");
  const clearBtn = document.getElementById("clear");

  // The drawing is kept as its strokes, not only as pixels: each stroke's samples as fractions of the
  // canvas side. A resize (a phone turned) or a canvas the browser dropped (contextlost) redraws
  // them at the new size, as sharp as the first time; scaling the old pixels instead thickened and
  // blurred the digit at each turn, and a canvas collapsed to nothing lost it.
  let strokes = []; // the samples of every stroke since the last clear
  let stroke = null; // {id, points, last, lastMid} while a pointer is down (last, lastMid in pixels)
  let liveTimer = null;
  let sent = 0; // requests sent
  let shown = 0; // the newest request whose answer is displayed
  let inFlight = 0;

  // -- canvas size: backing store = CSS size x devicePixelRatio, the strokes redrawn at each size ---
  function fitCanvas() {
    const side = Math.round(canvas.getBoundingClientRect().width * (window.devicePixelRatio || 1));
    if (side === 0) return; // hidden or collapsed: keep the bitmap until there is room again
    if (side === canvas.width && side === canvas.height) return;
    canvas.width = side; // clears the bitmap and the pen settings
    canvas.height = side;
    redraw();
  }

  function redraw() {
    setPen();
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    for (const points of strokes) {
      const first = inPixels(points[0]);
      const trace = { last: first, lastMid: first };
      dot(first);
      for (const q of points.slice(1)) curveTo(trace, inPixels(q));
      if (stroke && stroke.points === points) { // still being drawn: continue from here
        stroke.last = trace.last;
        stroke.lastMid = trace.lastMid;
      } else {
        finish(trace);
      }
    }
  }

  function setPen() {
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    ctx.fillStyle = "#000";
    ctx.lineWidth = canvas.width * LINE_WIDTH_FRACTION;
  }

  function asFraction(p) {
    return { x: p.x / canvas.width, y: p.y / canvas.height };
  }

  function inPixels(q) {
    return { x: q.x * canvas.width, y: q.y * canvas.height };
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * (canvas.width / box.width),
      y: (event.clientY - box.top) * (canvas.height / box.height),
    };
  }

  // -- strokes: quadratic curves through the midpoints of successive samples (smooth lines) -----
  function dot(p) { // a stroke's first sample, so a single tap leaves ink
    ctx.beginPath();
    ctx.arc(p.x, p.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
  }

  function curveTo(trace, p) { // trace: {last, lastMid}, the stroke drawn so far
    const mid = { x: (trace.last.x + p.x) / 2, y: (trace.last.y + p.y) / 2 };
    ctx.beginPath();
    ctx.moveTo(trace.lastMid.x, trace.lastMid.y);
    ctx.quadraticCurveTo(trace.last.x, trace.last.y, mid.x, mid.y);
    ctx.stroke();
    trace.last = p;
    trace.lastMid = mid;
  }

  function finish(trace) { // end the curve at the last sample
    ctx.beginPath();
    ctx.moveTo(trace.lastMid.x, trace.lastMid.y);
    ctx.lineTo(trace.last.x, trace.last.y);
    ctx.stroke();
  }

  function onPointerDown(event) {
    if (event.button !== undefined && event.button > 0) return; // primary button, touch or pen only
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    clearTimeout(liveTimer);
    const p = point(event);
    stroke = { id: event.pointerId, points: [asFraction(p)], last: p, lastMid: p };
    strokes.push(stroke.points);
    dot(p);
  }

  function onPointerMove(event) {
    if (!stroke || event.pointerId !== stroke.id) return;
    event.preventDefault();
    const samples = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const sample of samples.length ? samples : [event]) extend(point(sample));
  }

  function extend(p) {
    stroke.points.push(asFraction(p));
    curveTo(stroke, p);
  }

  function onPointerUp(event) {
    if (!stroke || event.pointerId !== stroke.id) return;
    finish(stroke);
    stroke = null;
    liveTimer = setTimeout(classify, LIVE_DELAY_MS);
  }

  // -- results ---------------------------------------------------------------------------------
  // A probability as the page prints it, one way everywhere: one decimal, and never "100.0%"
  // (a softmax saturates; the network is not certain, it is very confident).
  function percent(p) {
    if (p >= 0.9995) return ">99.9%";
    if (p > 0 && p < 0.0005) return "<0.1%";
    return `${(p * 100).toFixed(1)}%`;
  }

  function buildBars() {
    for (let d = 0; d < 10; d++) {
      const li = document.createElement("li");
      li.innerHTML = '<span class="digit"></span><span class="track"><span class="fill"></span></span>' +
        '<span class="pct"></span>';
      li.querySelector(".digit").textContent = String(d);
      barsEl.appendChild(li);
    }
    showBars(null);
  }

  function showBars(probabilities) {
    const top = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    barsEl.querySelectorAll("li").forEach((li, d) => {
      const p = probabilities ? probabilities[d] : 0;
      li.querySelector(".fill").style.width = `${(p * 100).toFixed(1)}%`;
      const text = probabilities ? percent(p) : "\u2013"; // no answer yet: a dash, not a number
      li.querySelector(".pct").textContent = text;
      li.setAttribute("aria-label", `${d}: ${probabilities ? text : "no answer yet"}`);
      li.classList.toggle("top", d === top);
    });
  }

  // What the page says of an answer: the runner-up always, and plainly when the network hesitates.
  function confidence(probabilities) {
    const order = probabilities.map((p, d) => [p, d]).sort((a, b) => b[0] - a[0]);
    const [[p1, d1], [p2, d2]] = order;
    if (p1 < 0.6) return `Not sure: ${d1} (${percent(p1)}) or ${d2} (${percent(p2)})?`;
    return `${percent(p1)} for ${d1}; next is ${d2} at ${percent(p2)}`;
  }

  function showMessage(text, isError) {
    messageEl.textContent = text;
    messageEl.classList.toggle("error", Boolean(isError));
  }

  function showAnswer(answer) {
    resultEl.textContent = `Result: ${answer.digit}`;
    resultEl.dataset.digit = String(answer.digit);
    showBars(answer.probabilities);
    previewEl.src = answer.input_image;
    showMessage(`${confidence(answer.probabilities)} (${answer.latency_ms.toFixed(1)} ms on the server)`,
      false);
  }

  function reset() {
    resultEl.innerHTML = "Result: &ndash;";
    delete resultEl.dataset.digit;
    showBars(null);
    previewEl.removeAttribute("src");
    showMessage("", false);
  }

  function setBusy(delta) {
    inFlight += delta;
    resultEl.dataset.busy = inFlight > 0 ? "true" : "false";
  }

  async function classify() {
    clearTimeout(liveTimer);
    const id = ++sent;
    setBusy(1);
    try {
      const response = await fetch("/api/predict", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ image: canvas.toDataURL("image/png") }),
      });
      const answer = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
      if (id < shown) return; // a newer answer is already on screen
      shown = id;
      if (response.ok) {
        showAnswer(answer);
      } else {
        reset();
        showMessage(answer.detail || `HTTP ${response.status}`, true);
      }
    } catch (err) {
      if (id >= shown) showMessage(`The server could not be reached: ${err.message}`, true);
    } finally {
      setBusy(-1);
    }
  }

  function clear() {
    clearTimeout(liveTimer);
    strokes = [];
    stroke = null; // a finger still down draws a new stroke only when it lifts and touches again
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    shown = sent; // answers still on their way belong to the old drawing
    reset();
  }

  async function showModel() {
    try {
      const info = await (await fetch("/api/model")).json();
      const name = info.name === "lenet" ? "LeNet" : info.name;
      const acc = info.test_accuracy != null
        ? `, which reads ${(info.test_accuracy * 100).toFixed(1)}% of MNIST's test digits right` : "";
      const where = info.context.startsWith("gpu") ? "a GPU" : "the CPU";
      document.getElementById("model").textContent =
        `A ${name} network${acc}, running on ${where}.`;
    } catch (err) {
      // the page works without the model line
    }
  }

  function onKey(event) {
    if (event.target instanceof HTMLButtonElement && (event.key === "Enter" || event.key === " ")) return;
    if (event.key === "Enter") {
      event.preventDefault();
      classify();
    } else if (event.key === "Escape") {
      event.preventDefault();
      clear();
    }
  }

  buildBars();
  fitCanvas();
  window.addEventListener("resize", fitCanvas);
  canvas.addEventListener("contextrestored", redraw); // the browser dropped the bitmap: draw it again
  canvas.addEventListener("pointerdown", onPointerDown);
  canvas.addEventListener("pointermove", onPointerMove);
  canvas.addEventListener("pointerup", onPointerUp);
  canvas.addEventListener("pointercancel", onPointerUp);
  classifyBtn.addEventListener("click", classify);
  clearBtn.addEventListener("click", clear);
  document.addEventListener("keydown", onKey);
  showModel();
})();
