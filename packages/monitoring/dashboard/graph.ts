// The links of the node as a graph: the node's switch in the middle, one
// peer per link around it, each edge labelled with the link's cost and its
// live message rate.
import type { LinkView } from '../src/views.js';
import { formatCount } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function drawGraph(svg: SVGSVGElement, hubName: string, links: readonly LinkView[]): void {
  const width = 480;
  const height = 320;
  const cx = width / 2;
  const cy = height / 2;
  const radius = Math.min(width, height) / 2 - 40;
  const shown = links.slice(0, 32);
  const parts: SVGElement[] = [];
  shown.forEach((link, i) => {
    const angle = (2 * Math.PI * i) / Math.max(shown.length, 1) - Math.PI / 2;
    const x = cx + radius * Math.cos(angle);
    const y = cy + radius * Math.sin(angle);
    const rate = link.rate.in_msgs + link.rate.out_msgs;
    const edge = el('line', { x1: cx, y1: cy, x2: x, y2: y, class: rate > 0 ? 'edge busy' : 'edge', 'stroke-width': Math.min(1 + Math.log10(1 + rate), 6) });
    // The label sits on the outer part of the edge, where edges are apart.
    const mx = cx + (x - cx) * 0.62;
    const my = cy + (y - cy) * 0.62;
    parts.push(
      edge,
      el('text', { x: mx, y: my - 4, 'text-anchor': 'middle', class: 'small', 'data-edge': link.id }, `cost ${link.cost} · ${formatCount(rate)}/s`),
      el('circle', { cx: x, cy: y, r: 16, class: 'peer', 'data-link': link.id }),
      el('text', { x, y: y + 4, 'text-anchor': 'middle' }, String(link.id)),
      el('text', { x, y: y + 30, 'text-anchor': 'middle', class: 'small' }, `${link.kind}${link.remote ? ` ${link.remote}` : ''}`.slice(0, 28)),
    );
  });
  parts.push(el('circle', { cx, cy, r: 24, class: 'hub' }), el('text', { x: cx, y: cy + 40, 'text-anchor': 'middle' }, hubName));
  if (links.length > shown.length) parts.push(el('text', { x: 8, y: height - 8, class: 'small' }, `+${links.length - shown.length} more links`));
  svg.replaceChildren(...parts);
}
