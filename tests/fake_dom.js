// A stub DOM with just what react-dom's client renderer calls to mount and update small trees, so that tests can
// render a tree twice and see what React re-rendered. No event is ever dispatched.
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

// render(element) commits ``element`` synchronously into one root that stays mounted between calls
function mount() {
  const root = createRoot(document.createElement('div'));
  return (element) => flushSync(() => root.render(element));
}

module.exports = { mount };
