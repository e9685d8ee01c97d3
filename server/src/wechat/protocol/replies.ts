import type { PassiveReply } from '@shared/officialAccount';

// Passive replies as the platform expects them: ToUserName = the follower, FromUserName = us.

/** CDATA that survives any text, including a literal `]]>`. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

const el = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${cdata(value)}</${name}>`);

export interface ReplyAddress {
  /** The follower's openid. */
  toUser: string;
  /** Our account id (the inbound ToUserName). */
  fromUser: string;
  createTime?: number;
}

/** Builds the XML of a passive reply. News is cut to `maxArticles` (1 when answering a follower's message). */
export function buildReplyXml(reply: PassiveReply, address: ReplyAddress, maxArticles = 8): string {
  const createTime = address.createTime ?? Math.floor(Date.now() / 1000);
  const head = `${el('ToUserName', address.toUser)}${el('FromUserName', address.fromUser)}<CreateTime>${createTime}</CreateTime>${el('MsgType', reply.type)}`;
  let body: string;
  switch (reply.type) {
    case 'text':
      body = el('Content', reply.content);
      break;
    case 'image':
      body = `<Image>${el('MediaId', reply.mediaId)}</Image>`;
      break;
    case 'voice':
      body = `<Voice>${el('MediaId', reply.mediaId)}</Voice>`;
      break;
    case 'video':
      body = `<Video>${el('MediaId', reply.mediaId)}${el('Title', reply.title)}${el('Description', reply.description)}</Video>`;
      break;
    case 'music':
      body = `<Music>${el('Title', reply.title)}${el('Description', reply.description)}${el('MusicUrl', reply.musicUrl)}${el('HQMusicUrl', reply.hqMusicUrl)}${el('ThumbMediaId', reply.thumbMediaId)}</Music>`;
      break;
    case 'news': {
      const items = reply.articles.slice(0, Math.max(1, Math.min(8, maxArticles)));
      body =
        `<ArticleCount>${items.length}</ArticleCount><Articles>` +
        items
          .map(
            (a) =>
              `<item>${el('Title', a.title)}${el('Description', a.description ?? '')}${el('PicUrl', a.picUrl ?? '')}${el('Url', a.url ?? '')}</item>`,
          )
          .join('') +
        '</Articles>';
      break;
    }
    case 'transfer_customer_service':
      body = reply.kfAccount ? `<TransInfo>${el('KfAccount', reply.kfAccount)}</TransInfo>` : '';
      break;
  }
  return `<xml>${head}${body}</xml>`;
}

/** The encrypted envelope sent back in safe mode (and compatible mode when encrypting). */
export function buildEncryptedEnvelope(encrypted: string, msgSignature: string, timestamp: string, nonce: string): string {
  return `<xml>${el('Encrypt', encrypted)}${el('MsgSignature', msgSignature)}<TimeStamp>${timestamp}</TimeStamp>${el('Nonce', nonce)}</xml>`;
}
