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
const { mount } = require('./fake_dom.js');
const { TodoList } = require('./TodoList.tsx');
const SalesChart = require('./SalesChart.jsx').default;
const todos = [{ id: '1', title: 'write', done: false }, { id: '2', title: 'ship', done: true }];
const onSave = () => {};
const sales = [{ total: 5 }, { total: 9 }];
const render = mount();
const counts = [];
for (const pass of [1, 2]) {
  render(React.createElement('main', null,
    React.createElement(TodoList, { initial: todos, onSave }),
    React.createElement(SalesChart, { sales, currency: 'EUR' })));
  counts.push({ ...renders });
}
console.log(JSON.stringify(counts));
