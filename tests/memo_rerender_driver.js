// Mounts TodoList and SalesChart (the stable-props fixtures, copied next to this file) with react-dom's client
// renderer on a stub DOM, renders the same parent elements twice, and prints how often each memoised child had
// rendered after each pass: a memo child whose props keep their identity is skipped on the second pass.
const React = require('react');
// count the renders of every memoised component: React.memo wraps a counting function around each
const renders = {};
const memo = React.memo;
React.memo = (inner, compare) => {
  const name = inner.name || `memo${Object.keys(renders).length + 1}`;
  renders[name] = 0;
  const counted = (props, ref) => { renders[name] += 1; return inner(props, ref); };
  return memo(counted, compare);
};
// the few DOM calls React makes to mount and update these trees; no event is ever dispatched
class FakeNode {
  constructor(nodeType, nodeName, ownerDocument) {
    Object.assign(this, { nodeType, nodeName, tagName: nodeName, ownerDocument, parentNode: null, childNodes: [] });
    this.style = { setProperty() {} };
  }
  get firstChild() { return this.childNodes[0] ?? null; }
  appendChild(child) { return this.insertBefore(child, null); }
  insertBefore(child, before) {
    if (child.parentNode) child.parentNode.removeChild(child);
    const at = before ? this.childNodes.indexOf(before) : -1;
    this.childNodes.splice(at < 0 ? this.childNodes.length : at, 0, child);
    child.parentNode = this;
    return child;
  }
  removeChild(child) { this.childNodes.splice(this.childNodes.indexOf(child), 1); child.parentNode = null; return child; }
  setAttribute() {}
  removeAttribute() {}
  addEventListener() {}
  removeEventListener() {}
  set textContent(value) { this.childNodes = []; }
}
// React looks for a focused iframe before a commit
globalThis.window = { HTMLIFrameElement: class {} };
const document = new FakeNode(9, '#document', null);
document.createElement = (tag) => new FakeNode(1, tag.toUpperCase(), document);
document.createElementNS = (ns, tag) => Object.assign(new FakeNode(1, tag, document), { namespaceURI: ns });
document.createTextNode = (text) => Object.assign(new FakeNode(3, '#text', document), { nodeValue: text });
const { createRoot } = require('react-dom/client');
const { flushSync } = require('react-dom');
const { TodoList } = require('./TodoList.tsx');
const SalesChart = require('./SalesChart.jsx').default;
const todos = [{ id: '1', title: 'write', done: false }, { id: '2', title: 'ship', done: true }];
const onSave = () => {};
const sales = [{ total: 5 }, { total: 9 }];
const root = createRoot(document.createElement('div'));
const counts = [];
for (const pass of [1, 2]) {
  flushSync(() => root.render(React.createElement('main', null,
    React.createElement(TodoList, { initial: todos, onSave }),
    React.createElement(SalesChart, { sales, currency: 'EUR' }))));
  counts.push({ ...renders });
}
console.log(JSON.stringify(counts));
