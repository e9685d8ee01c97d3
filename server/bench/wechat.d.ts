// The part of node-webot's `wechat` middleware the OA benchmark uses (the package ships no types).
declare module 'wechat' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  interface WebotRequest extends IncomingMessage {
    query: Record<string, string>;
    weixin: Record<string, string>;
  }
  interface WebotResponse extends ServerResponse {
    reply(content: string): void;
  }
  type Handler = (req: WebotRequest, res: WebotResponse, next: (err?: unknown) => void) => void;
  function wechat(config: { token: string; appid: string; encodingAESKey: string }, handle: Handler): Handler;
  export default wechat;
}
