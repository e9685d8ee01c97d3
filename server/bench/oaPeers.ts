// The two peers `npm run bench:oa` compares our endpoint with, each in its own process:
//   bare   a Koa endpoint that reads the body and answers `success` (the ceiling of the HTTP stack)
//   webot  node-webot's `wechat` middleware in safe mode: checks, decrypts, parses, answers the
//          same help text encrypted, and stores nothing
// Prints `listening <url>` once ready.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import getRawBody from 'raw-body';
import wechat from 'wechat';

const [kind, token, appId, aesKey, replyText] = process.argv.slice(2);

function listen(server: http.Server): void {
  server.keepAliveTimeout = 5_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`listening http://127.0.0.1:${port}\n`);
  });
}

if (kind === 'bare') {
  const app = new Koa();
  app.use(async (ctx) => {
    await getRawBody(ctx.req, { limit: 64 * 1024 });
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });
  listen(http.createServer(app.callback()));
} else if (kind === 'webot') {
  const handle = wechat({ token: token!, appid: appId!, encodingAESKey: aesKey! }, (req, res) => {
    res.reply(req.weixin.Content === '帮助' ? replyText! : 'success');
  });
  listen(
    http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      Object.assign(req, { query: Object.fromEntries(url.searchParams) });
      handle(req as never, res as never, (err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    }),
  );
} else {
  process.stderr.write('usage: oaPeers.ts bare|webot <token> <appid> <aesKey> <reply>\n');
  process.exit(2);
}
