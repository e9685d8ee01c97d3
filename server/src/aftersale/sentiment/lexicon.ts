// The words the complaint scorer knows, in Chinese and English. Tuned against labelled messages;
// when it misjudges a message, change these weights, never the labels.
//
// English entries match whole words, case-insensitively; a trailing * matches any word ending
// ("complain*" → complaint, complained). Chinese entries match anywhere. Where entries overlap,
// the longest wins, so a phrase such as 不错 or 不好意思 shadows the negator 不 inside it.

export type EntryKind = 'cue' | 'weak_cue' | 'negative' | 'positive' | 'negator' | 'intensifier' | 'polite' | 'neutral';

export interface LexiconEntry {
  term: string;
  kind: EntryKind;
  weight: number;
  /** Praise that turns sarcastic next to a complaint ("great, another broken one"). */
  sarcasmProne?: boolean;
}

type Row = [term: string, weight: number];
const rows = (kind: EntryKind, list: Row[]): LexiconEntry[] => list.map(([term, weight]) => ({ term, kind, weight }));
const words = (kind: EntryKind, list: string[]): LexiconEntry[] => list.map((term) => ({ term, kind, weight: 1 }));

/** Words that mean "I am complaining / I will escalate". */
const cues = rows('cue', [
  ['投诉', 3], ['12315', 4], ['消协', 3.5], ['曝光', 3], ['维权', 3], ['差评', 2.5], ['骗', 3], ['欺诈', 3.5],
  ['假货', 3], ['垃圾', 2.5], ['过分', 2], ['给我个说法', 2], ['说法', 1.5], ['发微博', 2.5], ['欺负', 2],
  ['想不想做生意', 2], ['不成样子', 1.5], ['服了', 1.5], ['摆设', 1.5], ['再也不', 2.5], ['莫名其妙', 1.5],
  ['否则', 1.5], ['必须', 1], ['不发货', 1.5], ['不回复', 1.5], ['不给退', 1.5], ['不给我退', 1.5], ['不处理', 1.5],
  ['还没退款', 2], ['没退款', 2], ['第二次', 0.8], ['第三次', 1], ['又', 0.5], ['全额退款', 1], ['坑人', 2.5],
  ['质量问题', 1.5], ['要求', 0.5], ['太差', 1.5], ['一次就', 1], ['不是骗人', 3], ['不是欺负', 2],
  ['complain*', 2.5], ['scam', 3], ['fraud*', 3], ['never again', 3], ['never buying', 3], ['never buy', 3],
  ['never shopping', 3], ['never order*', 3], ['money back', 1.5], ['unacceptable', 2.5], ['ridiculous', 2],
  ['disgust*', 2.5], ['report you', 3], ['consumer protection', 3], ['disput*', 2], ['speak to a manager', 2],
  ['demand*', 1.5], ['worst', 2.5], ['a joke', 2], ['thanks for nothing', 3], ['no one will', 1.5],
  ['nobody', 1.2], ['charged twice', 1.5], ['been waiting', 1.2], ['rip off', 3], ['ripped off', 3], ['lawyer', 3],
  // Broader everyday complaint vocabulary.
  ['报警', 3], ['消费者协会', 3.5], ['工商', 3], ['律师', 3], ['起诉', 3.5], ['媒体', 2], ['黑店', 3], ['奸商', 3],
  ['抢钱', 2.5], ['坑钱', 2.5], ['没人理', 2], ['没人管', 2], ['没人接', 2], ['不理人', 2], ['推来推去', 2],
  ['踢皮球', 2], ['敷衍', 2], ['死人', 2], ['什么态度', 2], ['恶心', 2], ['离谱', 2], ['忍无可忍', 3], ['受够了', 2.5],
  ['拉黑', 2], ['永远不', 2], ['赔偿', 2], ['索赔', 2.5], ['三番五次', 1.5], ['好几次', 1], ['忽悠', 2], ['误导', 1.5],
  ['虚假宣传', 3], ['霸王条款', 3], ['搞什么', 1.5], ['退钱', 1.5], ['给个说法', 2],
  ['lied', 2.5], ['lying', 2.5], ['liar*', 3], ['done with', 2], ['post this', 1.5], ['social media', 2], ['bad review', 2.5],
  ['chargeback', 3], ['sue', 3], ['attorney', 3], ['misleading', 2], ['false advertising', 3], ['fed up', 2.5],
  ['sick of', 2.5], ['outraged', 2.5], ['pathetic', 2.5], ['waste of money', 2.5], ['third time', 1.5],
  ['fourth time', 1.5], ['ignored', 2], ['no response', 1.5], ['compensation', 2], ['hung up', 1.5], ['seriously', 0.8],
  ['举报', 3], ['跑路', 3], ['傻子', 2.5], ['当我', 1], ['不会再', 2], ['使用痕迹', 1.5], ['二手', 1.5], ['三次', 1],
  ['到底', 1], ['每次问', 1.5], ['等通知', 1], ['丢人', 2], ['无耻', 3],
  ['ignor*', 2], ['disgrace*', 2.5], ['the press', 2.5], ['zero stars', 2.5], ['one star', 2], ['furious', 3],
  ['livid', 3], ['cancel my', 1.5], ['unbelievable', 1.5], ['shameful', 2.5], ['shame on', 2.5],
]);

/** Complaint words that also appear in calm requests ("how do I get a refund?"): they count fully only with anger. */
const weakCues = rows('weak_cue', [
  ['退款', 1], ['退货', 1], ['坏了', 1.2], ['坏的', 1.2], ['断了', 1], ['开线', 1], ['掉色', 1],
  ['refund*', 1], ['broken', 1.2], ['broke', 1], ['five times', 0.8], ['three times', 0.8],
]);

const negative = rows('negative', [
  ['差', 1.5], ['失望', 2], ['恶劣', 2], ['磨脚', 1], ['不舒服', 1], ['慢', 1], ['破损', 1], ['一般般', 0.8], ['一般', 0.8],
  ['难用', 1.5], ['烦', 1], ['坑', 2], ['糟糕', 2], ['气死', 2.5], ['无语', 1.5], ['态度', 0.5], ['坏', 1],
  ['disappointed', 2], ['disappointing', 2], ['annoying', 1.5], ['cheap', 1], ['bad', 1.5], ['poor', 1.5],
  ['slow', 1], ['crushed', 1], ['terrible', 2], ['awful', 2], ['horrible', 2], ['unhappy', 1.5], ['wrong', 1],
  ['rude', 2], ['useless', 2], ['angry', 2],
  ['色差', 1], ['偏小', 0.8], ['偏大', 0.8], ['麻烦死', 1.5], ['late', 1], ['annoyed', 1.5], ['frustrated', 2],
  ['frustrating', 2], ['upset', 1.5], ['mad', 1.5], ['damaged', 1], ['missing', 1], ['faulty', 1.5], ['defective', 1.5],
  // Softened grievances: 有点…, a bit…, a little… mostly introduce a small complaint.
  ['有点', 1], ['压扁', 1], ['旧的', 1], ['跑绒', 1], ['a little', 1], ['a bit', 1], ['meh', 1], ['expected better', 1.5],
  ['torn', 1], ['scratched', 1], ['stained', 1],
]);

const positive: LexiconEntry[] = [
  ...rows('positive', [
    ['谢谢', 1.5], ['感谢', 1.5], ['喜欢', 1.5], ['不错', 1.5], ['好', 0.8], ['满意', 1.5], ['快', 0.5],
    ['没问题', 1], ['没有问题', 1], ['没事', 0.5], ['舒服', 1], ['好用', 1], ['合身', 0.8], ['推荐', 0.5],
    ['thanks', 1.5], ['thank', 1.5], ['good', 1], ['love', 1.5], ['friendly', 1.5], ['quick', 0.8], ['comfortable', 1],
    ['happy', 1.5], ['okay', 0.8], ['ok', 0.8], ['fine', 0.5], ['helpful', 1.5], ['best', 1], ['nice', 1],
  ]),
  ...rows('positive', [['真棒', 1.5], ['棒', 1.5], ['great', 1.5], ['wonderful', 1.5], ['perfect', 1.5], ['厉害', 1]]).map((e) => ({
    ...e,
    sarcasmProne: true,
  })),
];

const negators = words('negator', [
  '不', '没', '没有', '别', '未', '无', '不是', '不算', '不太', '一点都不', '不会', '并不',
  'not', 'no', 'never', "don't", "doesn't", "didn't", "isn't", "wasn't", "won't", "can't", 'nothing', 'without', 'hardly',
]);

const intensifiers = rows('intensifier', [
  ['太', 1.5], ['非常', 1.5], ['特别', 1.5], ['很', 1.3], ['超', 1.4], ['极', 1.6], ['真', 1.3], ['简直', 1.6],
  ['完全', 1.5], ['一直', 1.3], ['根本', 1.5], ['更', 1.3],
  ['very', 1.4], ['so', 1.3], ['extremely', 1.7], ['absolutely', 1.6], ['really', 1.3], ['totally', 1.5],
  ['completely', 1.5], ['complete', 1.5], ['too', 1.3], ['super', 1.4],
]);

/** Signs of a question or request rather than a grievance. */
const polite = words('polite', [
  '请问', '怎么', '如何', '流程', '多久', '什么时候', '吗', '想问', '能否', '麻烦', '您好', '你好', '方便',
  'please', 'how do i', 'how can i', 'could you', 'can i', 'is there', 'wondering', 'does', 'what are',
]);

/** Phrases that contain a negator or cue character but mean neither. */
const neutral = words('neutral', ['不过', '不好意思', '不用', '别人', '无理由', '不着急', '没拆封', '还没拆封', '好意思', '拆封', '快递', '是不是']);

export const LEXICON: readonly LexiconEntry[] = [
  ...cues, ...weakCues, ...negative, ...positive, ...negators, ...intensifiers, ...polite, ...neutral,
];

/** All-caps words that are names, not shouting. */
export const CAPS_WHITELIST = new Set(['VIP', 'APP', 'SKU', 'USB', 'LED', 'OK', 'ID', 'QR', 'TV', 'PM', 'AM', 'XL', 'XXL', 'SMS']);
