// The live page of a sluice run: it listens to /events (server-sent events,
// one snapshot a message) and redraws each pipeline's facts and stage graph.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const rates = new Map(); // "pipeline/stage" -> {t, n, rate}
const sections = new Map(); // pipeline name -> section element

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmtNum(n) {
  if (n >= 1e9) return (n / 1e9).toFixed(1) + "G";
  if (n >= 1e6) return (n / 1e6).toFixed(1) + "M";
  if (n >= 1e4) return (n / 1e3).toFixed(1) + "k";
  return String(Math.round(n));
}

function fmtBytes(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : String(n)) + " " + u[i];
}

function fmtDur(s) {
  if (!isFinite(s) || s < 0) return "–";
  if (s < 1) return (s * 1000).toFixed(0) + " ms";
  if (s < 60) return s.toFixed(1) + " s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + " min " + Math.round(s - 60 * m) + " s";
  return Math.floor(m / 60) + " h " + (m % 60) + " min";
}

// rate returns the stage's items per second, smoothed over the last updates.
function rate(pipe, st, elapsed) {
  const key = pipe + "/" + st.name;
  const n = st.outputs && st.outputs.length ? st.out : st.in;
  const prev = rates.get(key);
  let r = prev ? prev.rate : 0;
  if (prev && elapsed > prev.t) {
    const now = (n - prev.n) / (elapsed - prev.t);
    r = prev.seen ? 0.6 * r + 0.4 * now : now;
  } else if (!prev && elapsed > 0) {
    r = n / elapsed;
  }
  rates.set(key, { t: elapsed, n: n, rate: r, seen: !!prev });
  return r;
}

function fact(label) {
  const f = el("div", "fact");
  f.appendChild(el("div", "label", label));
  const v = el("div", "value");
  f.appendChild(v);
  return { root: f, value: v };
}

function section(p) {
  let s = sections.get(p.name);
  if (s) return s;
  const root = el("section", "pipe");
  root.dataset.pipeline = p.name;
  const h = el("h2");
  const title = el("span", "title", p.name);
  const badge = el("span", "badge");
  h.append(title, badge);
  const facts = el("div", "facts");
  const prog = fact("progress"), elapsed = fact("elapsed · time left"), budget = fact("memory budget");
  const pbar = el("div", "bar"), pfill = el("div");
  pbar.appendChild(pfill);
  prog.root.appendChild(pbar);
  const bbar = el("div", "bar budget"), bfill = el("div");
  bbar.appendChild(bfill);
  budget.root.appendChild(bbar);
  facts.append(prog.root, elapsed.root, budget.root);
  const bottleneck = el("div", "bottleneck");
  const error = el("div", "error");
  const graph = svg("svg", { class: "graph" });
  root.append(h, facts, bottleneck, error, graph);
  const main = document.getElementById("pipelines");
  const hint = main.querySelector(".hint");
  if (hint) hint.remove();
  main.appendChild(root);
  s = { root, badge, prog, pfill, elapsed, budget, bfill, bottleneck, error, graph };
  sections.set(p.name, s);
  return s;
}

// layout places each stage in a column by its distance from the sources.
function layout(stages) {
  const byName = new Map(stages.map((s, i) => [s.name, i]));
  const col = stages.map(() => 0);
  for (let pass = 0; pass < stages.length; pass++) {
    stages.forEach((s, i) => {
      for (const inp of s.inputs || []) {
        const j = byName.get(inp);
        if (j !== undefined) col[i] = Math.max(col[i], col[j] + 1);
      }
    });
  }
  const rows = [];
  const row = stages.map((s, i) => {
    rows[col[i]] = (rows[col[i]] || 0) + 1;
    return rows[col[i]] - 1;
  });
  return { col, row, rows: Math.max(...rows.map(r => r || 0), 1), cols: Math.max(...col, 0) + 1, byName };
}

const BW = 210, BH = 118, GX = 100, GY = 24;

function drawGraph(g, p) {
  const L = layout(p.stages);
  const width = L.cols * BW + (L.cols - 1) * GX + 20;
  const height = L.rows * BH + (L.rows - 1) * GY + 20;
  while (g.firstChild) g.removeChild(g.firstChild);
  g.setAttribute("viewBox", `0 0 ${width} ${height}`);
  g.style.maxWidth = width * 1.2 + "px";
  const defs = svg("defs");
  const m = svg("marker", { id: "head", markerWidth: 8, markerHeight: 8, refX: 7, refY: 4, orient: "auto" });
  m.appendChild(svg("path", { d: "M0,0 L8,4 L0,8 z", fill: "#59626c" }));
  defs.appendChild(m);
  g.appendChild(defs);
  const pos = p.stages.map((s, i) => ({ x: 10 + L.col[i] * (BW + GX), y: 10 + L.row[i] * (BH + GY) }));
  // Arrows first, with the fill of the queue they lead into.
  p.stages.forEach((s, i) => {
    for (const inp of s.inputs || []) {
      const j = L.byName.get(inp);
      if (j === undefined) continue;
      const a = pos[j], b = pos[i];
      const x1 = a.x + BW, y1 = a.y + BH / 2, x2 = b.x - 2, y2 = b.y + BH / 2;
      g.appendChild(svg("path", { class: "arrow", d: `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}` }));
      if (s.queueCap > 0) {
        const qx = (x1 + x2) / 2 - 30, qy = (y1 + y2) / 2 - 12;
        const f = Math.min(1, s.queueLen / s.queueCap);
        g.appendChild(svg("text", { class: "mute queue", x: qx + 30, y: qy - 5, "text-anchor": "middle" }, `queue ${s.queueLen}/${s.queueCap}`));
        g.appendChild(svg("rect", { class: "qbg", x: qx, y: qy, width: 60, height: 7, rx: 3 }));
        g.appendChild(svg("rect", { class: "qfill", x: qx, y: qy, width: Math.max(0, 60 * f), height: 7, rx: 3 }));
      }
    }
  });
  p.stages.forEach((s, i) => {
    const { x, y } = pos[i];
    const grp = svg("g", { class: "stage", "data-stage": s.name });
    const limits = (p.bottleneck || "").startsWith(s.name + " limits");
    grp.appendChild(svg("rect", { class: limits ? "box limit" : "box", x, y, width: BW, height: BH, rx: 8 }));
    if (limits) grp.appendChild(svg("text", { class: "mute", x: x + BW - 10, y: y + 20, "text-anchor": "end" }, "bottleneck"));
    grp.appendChild(svg("text", { class: "name", x: x + 10, y: y + 20 }, s.name));
    const r = rate(p.name, s, p.elapsed);
    grp.appendChild(svg("text", { class: "num rate", x: x + 10, y: y + 40 }, `${fmtNum(r)} items/s`));
    const busy = p.elapsed > 0 ? s.busy / (Math.max(1, s.workers) * p.elapsed) : 0;
    grp.appendChild(svg("text", { class: "num", x: x + 10, y: y + 57 }, `busy ${Math.round(Math.min(1, busy) * 100)}% · in ${fmtNum(s.in)} · out ${fmtNum(s.out)}`));
    grp.appendChild(svg("text", { class: "mute", x: x + 10, y: y + 74 }, `${s.workers} worker${s.workers === 1 ? "" : "s"}`));
    const states = s.states || [];
    const n = Math.max(states.length, 1), size = Math.min(14, (BW - 20 - (n - 1) * 3) / n);
    states.forEach((st, k) => {
      const sq = svg("rect", { class: "st " + st, x: x + 10 + k * (size + 3), y: y + 84, width: size, height: size, rx: 2 });
      sq.appendChild(svg("title", {}, `worker ${k}: ${st.replace("_", " ")}`));
      grp.appendChild(sq);
    });
    g.appendChild(grp);
  });
}

function render(snap) {
  for (const p of snap.pipelines) {
    const s = section(p);
    s.badge.textContent = p.state;
    s.badge.className = "badge " + p.state;
    let frac = null;
    if (p.total > 0) frac = Math.min(1, p.done / p.total);
    else if (p.state === "finished") frac = 1;
    if (frac !== null) {
      s.prog.value.textContent = p.total > 0
        ? `${Math.round(frac * 100)}% · ${fmtNum(p.done)} of ${fmtNum(p.total)} ${p.unit}`
        : "100%";
      s.pfill.style.width = (frac * 100).toFixed(1) + "%";
    } else {
      const last = p.stages.length ? p.stages[p.stages.length - 1] : null;
      s.prog.value.textContent = last ? `${fmtNum(last.in)} ${p.unit} done` : "–";
      s.pfill.style.width = "0%";
    }
    let left = "–";
    if (p.state === "finished" || p.state === "failed") left = "ended";
    else if (frac !== null && frac > 0.001) left = fmtDur(p.elapsed * (1 - frac) / frac);
    s.elapsed.value.textContent = `${fmtDur(p.elapsed)} · ${left}`;
    if (p.budget > 0) {
      s.budget.value.textContent = `${fmtBytes(p.inFlight)} of ${fmtBytes(p.budget)} (peak ${fmtBytes(p.peak)})`;
      s.bfill.style.width = Math.min(100, 100 * p.inFlight / p.budget).toFixed(1) + "%";
    } else {
      s.budget.value.textContent = `no budget · ${fmtBytes(p.inFlight)} in flight (peak ${fmtBytes(p.peak)})`;
      s.bfill.style.width = "0%";
    }
    s.bottleneck.textContent = p.bottleneck || "No figures yet.";
    s.error.textContent = p.error || "";
    s.error.hidden = !p.error;
    drawGraph(s.graph, p);
  }
}

function connect() {
  const conn = document.getElementById("conn");
  const es = new EventSource("events");
  es.onopen = () => { conn.textContent = "live"; conn.className = "conn live"; };
  es.onmessage = (m) => {
    try { render(JSON.parse(m.data)); } catch (e) { conn.textContent = "bad update: " + e; }
  };
  es.onerror = () => { conn.textContent = "disconnected: the run's process has ended"; conn.className = "conn"; };
}

connect();
