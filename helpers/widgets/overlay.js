// The moving part of a panel, drawn in the browser: paths on a surface and f − f* curves, up to the animation
// frame. It lies on top of the panel's picture (a PNG of the static part, sent once) and lets clicks through to it.
// The kernel sends the axes' places in the picture and the runs as numbers; Play only changes `frame`, which a
// browser-side link sets, so an animation frame costs no round trip to the kernel.

const POINT = 1 / 72; // inches

function floats(view) {
  // A DataView over a buffer of float64 numbers (copied: its offset need not be a multiple of 8).
  if (!view) return new Float64Array(0);
  const bytes = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  return new Float64Array(bytes);
}

function scale(value, [low, high], log) {
  // The fraction of the way from low to high, on a log scale where asked.
  if (log) return (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
  return (value - low) / (high - low);
}

function mapper(box) {
  return (x, y) => [
    box.left + scale(x, box.xlim, box.xlog) * box.width,
    box.top + (1 - scale(y, box.ylim, box.ylog)) * box.height, // pixel y runs down
  ];
}

function marker(ctx, shape, x, y, size, face, edge, edgeWidth) {
  ctx.beginPath();
  if (shape === "square") {
    ctx.rect(x - size / 2, y - size / 2, size, size);
  } else if (shape === "cross") {
    const a = size / 2;
    const b = size / 6;
    ctx.moveTo(x - a, y - a + b);
    ctx.lineTo(x - b, y);
    ctx.lineTo(x - a, y + a - b);
    ctx.lineTo(x - a + b, y + a);
    ctx.lineTo(x, y + b);
    ctx.lineTo(x + a - b, y + a);
    ctx.lineTo(x + a, y + a - b);
    ctx.lineTo(x + b, y);
    ctx.lineTo(x + a, y - a + b);
    ctx.lineTo(x + a - b, y - a);
    ctx.lineTo(x, y - b);
    ctx.lineTo(x - a + b, y - a);
    ctx.closePath();
  } else {
    ctx.arc(x, y, size / 2, 0, 2 * Math.PI);
  }
  ctx.fillStyle = face;
  ctx.fill();
  if (edge) {
    ctx.strokeStyle = edge;
    ctx.lineWidth = edgeWidth;
    ctx.stroke();
  }
}

function clipped(ctx, box, draw) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.width, box.height);
  ctx.clip();
  draw();
  ctx.restore();
}

function drawPath(ctx, box, xy, last, colour, diverged, pt) {
  const at = mapper(box);
  const points = [];
  for (let i = 0; i <= last; i++) points.push(at(xy[2 * i], xy[2 * i + 1]));
  clipped(ctx, box, () => {
    ctx.lineJoin = "round";
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5 * pt;
    ctx.beginPath();
    points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.stroke();
    for (const [x, y] of points) marker(ctx, "circle", x, y, 3 * pt, colour);
    marker(ctx, "circle", ...points[0], 7.5 * pt, colour, "black", pt);
    marker(ctx, "square", ...points[points.length - 1], 6.6 * pt, colour, "black", pt);
    if (diverged) marker(ctx, "cross", ...points[points.length - 1], 12 * pt, "red", "white", pt);
  });
}

function drawGaps(ctx, box, gaps, last, colour, diverged, floor, pt) {
  const at = mapper(box);
  const top = box.ylim[1];
  const points = [];
  for (let t = 0; t <= last; t++) points.push(at(t, Math.min(Math.max(gaps[t], floor), top * 10)));
  clipped(ctx, box, () => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5 * pt;
    ctx.beginPath();
    points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.stroke();
    const [x, y] = at(last, Math.min(Math.max(gaps[last], floor), top));
    if (diverged) marker(ctx, "cross", x, y, 12 * pt, "red", "white", pt);
    else marker(ctx, "circle", x, y, 5 * pt, colour, "black", pt);
  });
}

function render({ model, el }) {
  const canvas = document.createElement("canvas");
  el.classList.add("descent-overlay");
  el.appendChild(canvas);
  let drawn = 0;

  function draw() {
    const [width, height] = model.get("size");
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const axes = model.get("axes");
    const frame = model.get("frame");
    const pt = model.get("dpi") * POINT;
    const floor = model.get("floor");
    const series = model.get("series");
    for (const one of series) {
      const xy = floats(one.path);
      const gaps = floats(one.gaps);
      const count = xy.length / 2;
      if (!count) continue;
      const last = Math.min(frame, count - 1);
      const ended = one.diverged && frame >= count - 1;
      if (axes[0]) drawPath(ctx, axes[0], xy, last, one.colour, ended, pt);
      if (axes[1] && gaps.length) {
        const lastGap = Math.min(frame, gaps.length - 1);
        drawGaps(ctx, axes[1], gaps, lastGap, one.colour, ended && lastGap === gaps.length - 1, floor, pt);
      }
    }
    if (axes[1] && series.length) {
      const [x] = mapper(axes[1])(Math.min(frame, axes[1].xlim[1]), axes[1].ylim[0]);
      clipped(ctx, axes[1], () => {
        ctx.strokeStyle = "white";
        ctx.lineWidth = 0.8 * pt;
        ctx.setLineDash([1.5 * pt, 2 * pt]);
        ctx.beginPath();
        ctx.moveTo(x, axes[1].top);
        ctx.lineTo(x, axes[1].top + axes[1].height);
        ctx.stroke();
      });
    }
    // What tests and the benchmark read: which run and which frame the picture shows, and how often it changed.
    drawn += 1;
    el.dataset.revision = String(model.get("revision"));
    el.dataset.frame = String(frame);
    el.dataset.series = String(series.length);
    el.dataset.drawn = String(drawn);
    el.dataset.axes = JSON.stringify(axes);
    el.dataset.size = JSON.stringify([width, height]);
  }

  let pending = false;
  function schedule() {
    // The traits of one message change one after the other, in one task: draw once, when they all have.
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      draw();
    });
  }
  for (const name of ["frame", "series", "axes", "size", "revision"]) model.on(`change:${name}`, schedule);
  draw();
}

// A control moved in the page goes to the kernel at once, as a message of the overlay's own. ipywidgets sends a
// control's changes one at a time and holds the next until the kernel has answered the last, so a dragged slider's
// final value could wait most of a round trip after the release. Here up to IN_FLIGHT changes travel together (the
// kernel answers each with {done}); beyond that only the newest value of each control waits for the next answer.
const IN_FLIGHT = 4;

async function initialize({ model }) {
  const waiting = new Map();
  let inFlight = 0;
  function send(name, state) {
    if (inFlight >= IN_FLIGHT) {
      waiting.set(name, { ...waiting.get(name), ...state });
      return;
    }
    inFlight += 1;
    model.send({ control: name, state });
  }
  function answered(message) {
    if (!message || !("done" in message)) return;
    inFlight = Math.max(0, inFlight - 1);
    const [next] = waiting.keys();
    if (next === undefined) return;
    const state = waiting.get(next);
    waiting.delete(next);
    send(next, state);
  }
  model.on("msg:custom", answered);
  const stops = [() => model.off("msg:custom", answered)];
  for (const [name, ref] of Object.entries(model.get("controls") || {})) {
    let control;
    try {
      control = await model.widget_manager.get_model(String(ref).replace(/^IPY_MODEL_/, ""));
    } catch {
      continue; // this control keeps ipywidgets' own way to the kernel
    }
    for (const attribute of ["value", "index"]) {
      const moved = (_, value, options) => {
        if (options?.updated_view) send(name, { [attribute]: value }); // moved by a hand, not by the kernel
      };
      control.on(`change:${attribute}`, moved);
      stops.push(() => control.off(`change:${attribute}`, moved));
    }
  }
  return () => stops.forEach((stop) => stop());
}

export default { initialize, render };
