// SPDX-License-Identifier: GPL-3.0-or-later
// The floor of bench/run.ts: the least an express + redis service can be. express.json on one
// POST route answering 202, and one connected node-redis client; nothing else. bench/run.ts starts
// it on the service's node and flags and loads it the same way, so the service's numbers read as
// ratios to what the product card's stack costs by itself.
//
//   node [flags] bench/floor-app.mjs <port> <redis-url>
import express from 'express';
import { createClient } from 'redis';

const [port, redisUrl] = process.argv.slice(2);
const redis = createClient({ url: redisUrl });
redis.on('error', () => {}); // the bench stops redis-server before this process: no stack trace on exit
await redis.connect();

const app = express();
app.post('/alert', express.json(), (req, res) => {
  res.status(202).json({ accepted: Array.isArray(req.body?.alerts) ? req.body.alerts.length : 0 });
});
app.listen(Number(port), '127.0.0.1');
