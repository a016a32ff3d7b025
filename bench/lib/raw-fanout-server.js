'use strict';
/**
 * The fan-out floor: a bare `ws` server speaking just enough graphql-transport-ws
 * (connection_init -> connection_ack, subscribe, complete) for the bench's
 * graphql-ws clients, and POST /fire { activityId } sending one pre-built
 * campaign-run payload (a real one captured by the bench) with that activity id
 * to every subscriber, serialized per message as graphql-ws does. No GraphQL,
 * no database, no auth: what 1 000 deliveries cost on this machine at least.
 * Plain JavaScript in its own process, like the server it stands beside.
 */
const http = require('node:http');
const { WebSocketServer } = require('ws');

const payload = JSON.parse(process.env.RAW_FANOUT_PAYLOAD || '{}');
const subscriptions = new Map(); // socket -> subscription ids

function setActivityId(value, activityId) {
  const run = value && value.data && value.data.campaignTriggered;
  if (!run || !run.activity) throw new Error('RAW_FANOUT_PAYLOAD is not a campaignTriggered result');
  run.activity.id = activityId;
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/fire') {
    res.writeHead(404).end();
    return;
  }
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    setActivityId(payload, JSON.parse(body).activityId);
    for (const [socket, ids] of subscriptions) {
      for (const id of ids) socket.send(JSON.stringify({ id, type: 'next', payload }));
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});

const wss = new WebSocketServer({ server, path: '/graphql' });
wss.on('connection', (socket) => {
  subscriptions.set(socket, new Set());
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
    else if (message.type === 'subscribe') subscriptions.get(socket).add(message.id);
    else if (message.type === 'complete') subscriptions.get(socket).delete(message.id);
    else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
  });
  socket.on('close', () => subscriptions.delete(socket));
});

server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => {
  for (const socket of subscriptions.keys()) socket.terminate();
  server.close(() => process.exit(0));
});
