// What the complaint detector knows before it learns anything: words and phrases by what they
// signal, in Chinese and English. Chinese terms are also given to the word segmenter, so each is
// cut as one word; English terms are stemmed like the message ("refunds", "refunded" → "refund").
// Hits become features of the learned stage, which weighs them: no weight here is hand-tuned.

export type Category =
  | 'escalate' // going over our heads: regulators, media, platforms, lawyers, police
  | 'review' // bad reviews and public posts
  | 'danger' // harm to a person: fire, shocks, burns, injuries, illness
  | 'damage' // broken, failed or spoiled goods
  | 'fraud' // cheating, fakes, lies
  | 'insult' // abuse of the brand or its people
  | 'sarcasm' // praise or thanks that mean the opposite
  | 'slang' // internet slang of exasperation
  | 'anger' // the customer says how they feel
  | 'demand' // refund, compensation, "give me an answer"
  | 'urgency' // now, today, by a deadline
  | 'repeat' // again, the Nth time, still
  | 'neglect' // nobody answers, ignored, passed around
  | 'mild' // softeners: a bit, slightly, hope next time
  | 'positive' // thanks, praise, joy
  | 'question' // asking how or whether
  | 'hypothetical' // if, in case, asking in advance
  | 'not_complaint' // "not a complaint", joking, no rush
  | 'resolved' // already sorted
  | 'self_fault' // my own fault
  | 'third_party' // about someone or somewhere else
  | 'rhetorical' // questions that accuse
  | 'negator'
  | 'you'; // addressing the brand as "you people"

export const CATEGORIES: readonly Category[] = [
  'escalate', 'review', 'danger', 'damage', 'fraud', 'insult', 'sarcasm', 'slang', 'anger', 'demand', 'urgency', 'repeat',
  'neglect', 'mild', 'positive', 'question', 'hypothetical', 'not_complaint', 'resolved', 'self_fault', 'third_party',
  'rhetorical', 'negator', 'you',
];

/** Categories whose hits flip meaning under a negator just before them ("不是投诉", "not broken"). */
export const NEGATABLE: ReadonlySet<Category> = new Set(['escalate', 'review', 'damage', 'fraud', 'anger', 'demand', 'positive', 'danger']);

export const ZH: Record<Category, string[]> = {
  escalate: [
    '投诉', '12315', '12345', '315', '消协', '消费者协会', '消保委', '市场监管', '市场监管局', '市场监督管理局', '工商', '工商局', '工信部',
    '监管部门', '有关部门', '媒体', '记者', '电视台', '报社', '新闻', '上新闻', '热搜', '曝光', '公开', '律师', '律师函', '起诉', '法院',
    '法庭', '诉讼', '打官司', '吃官司', '法律途径', '报警', '警察', '派出所', '举报', '维权', '平台介入', '介入', '拒付', '黑猫投诉', '总部',
    '老板', '领导', '主管', '经理', '负责人',
  ],
  review: [
    '差评', '一星', '零分', '微博', '抖音', '小红书', '大众点评', '朋友圈', '发帖', '发到网上', '网上', '群里', '业主群', '宣传', '避雷',
    '让所有人知道', '让大家', '劝', '别买',
  ],
  danger: [
    '烧焦', '烧起来', '烧穿', '烧了', '冒烟', '着火', '起火', '失火', '爆炸', '爆了', '炸了', '自燃', '漏电', '触电', '电得', '麻了', '漏气',
    '煤气', '燃气', '烫伤', '烫红', '烫', '割伤', '割手', '划伤', '流血', '出血', '血', '住院', '医院', '急诊', '挂水', '过敏', '中毒',
    '食物中毒', '上吐下泻', '呕吐', '拉肚子', '头晕', '红疹', '起泡', '淤青', '肿', '受伤', '摔', '摔倒', '滑倒', '撞', '砸', '夹住', '吞',
    '差点', '危险', '安全隐患', '隐患', '出人命', '出事', '后怕', '吓死人', '有毒', '毒', '异物', '玻璃', '虫子', '发霉', '变质', '过期',
    '失灵', '出事故', '事故', '没命', '医药费',
  ],
  damage: [
    '坏', '坏了', '坏掉', '断', '断了', '掉了', '脱落', '碎', '碎了', '裂', '裂开', '漏', '漏水', '进水', '破', '破了', '破损', '鼓包',
    '塌', '黑屏', '死机', '不能用', '用不了', '开不了机', '失效', '臭', '臭了', '化了', '压坏', '发错', '少发', '错发', '丢了', '弄丢',
    '翻新', '二手', '质量问题', '毛病', '故障', '瑕疵', '划痕', '毁', '毁了', '砖头',
  ],
  fraud: [
    '骗', '骗子', '骗人', '欺骗', '诈骗', '欺诈', '假', '假货', '假的', '山寨', '以次充好', '虚假宣传', '虚假', '货不对板', '忽悠', '套路',
    '坑', '坑人', '被坑', '割韭菜', '韭菜', '诱导', '霸王条款', '泄露', '偷', '抢', '抢劫', '明抢', '黑心', '不承认', '耍', '糊弄',
  ],
  insult: [
    '垃圾', '破', '破烂', '玩意', '玩意儿', '什么玩意', '傻子', '当傻子', '骗鬼', '不要脸', '无耻', '奸商', '黑店', '死了', '放屁', '德行',
    '丢人', '丢脸', '恶心', '猴耍', '当猴', '笑话', '倒闭', '不识字', '人话', '职业道德', '配', '店大欺客', '欺负', '流氓',
  ],
  sarcasm: [
    '呵呵', '呵', '真行', '真有你们的', '好样的', '牛', '你们牛', '开眼', '长见识', '我真的会谢', '会谢', '颁个奖', '真高', '效率真高',
    '就这', '买了个寂寞', '寂寞', '搞笑', '真是', '厉害了', '666', '6',
  ],
  slang: [
    '无语', '离谱', '服了', '绝绝子', '破防', '谁懂啊', '家人们', '踩雷', '翻车', '智商税', '拉胯', '裂开', '麻了', '绷不住', '醉了',
    '我真的会谢', '避雷', '劝退', '救命',
  ],
  anger: [
    '生气', '气死', '气死我了', '气到发抖', '愤怒', '火大', '寒心', '心寒', '崩溃', '受够', '忍够', '忍无可忍', '失望', '难受', '咽不下',
    '不客气', '没完', '走着瞧', '等着', '看着办', '不想再', '再也不', '这辈子', '付出代价', '后果自负', '耗', '恼火', '烦死',
  ],
  demand: [
    '退款', '退钱', '还钱', '把钱还', '退货', '换货', '换新', '赔', '赔偿', '索赔', '赔钱', '假一赔三', '负责', '交代', '说法', '给个说法',
    '道歉', '公开道歉', '必须', '要求', '强烈要求', '给我', '解决', '处理', '误工费', '医药费', '召回', '全额',
  ],
  urgency: [
    '马上', '立刻', '立即', '赶紧', '尽快', '今天', '明天', '今晚', '中午', '之前', '以内', '小时', '最后通牒', '最后一次', '现在', '限',
  ],
  repeat: [
    '又', '再次', '反复', '多次', '好几次', '三番五次', '一直', '还是', '还在', '到现在', '至今', '第二次', '第三次', '第四次', '第五次',
    '第N次', '无数次', '每次', '重复', '依然', '仍然', '两次', '三次', '几次',
  ],
  neglect: [
    '没人理', '没人管', '没人接', '没人回', '不回', '不回复', '不理', '没回', '装死', '推卸', '踢皮球', '推来推去', '敷衍', '拖', '拖着',
    '石沉大海', '答非所问', '机器人', '复制粘贴', '挂电话', '挂我电话', '占线', '找不到人', '一问三不知', '不接', '没有活人', '活人',
  ],
  mild: [
    '有点', '有一点', '一点', '一点点', '稍微', '略', '略微', '不太', '不是很', '一般', '一般般', '还行', '还好', '还可以', '希望', '下次',
    '建议', '可惜', '遗憾', '小瑕疵', '不影响', '凑合', '不急', '算了', '唉', '有些', '比较', '偏',
  ],
  positive: [
    '谢谢', '感谢', '多谢', '辛苦', '喜欢', '爱了', '好评', '满意', '赞', '点赞', '棒', '好吃', '好看', '好用', '开心', '惊喜', '推荐',
    '回购', 'yyds', '真香', '放心', '贴心', '耐心', '暖', '治愈', '恭喜', '五星', '表扬', '夸', '激动', '没话说', '上头',
  ],
  question: [
    '请问', '想问', '问一下', '问问', '咨询', '怎么', '如何', '怎样', '哪个', '哪里', '哪', '吗', '呀', '能不能', '可不可以', '可以吗',
    '是否', '能否', '多久', '几天', '几点', '流程', '有没有', '什么时候', '多少',
  ],
  hypothetical: ['如果', '假如', '万一', '要是', '提前问', '先问问', '还没买', '准备买', '打算'],
  not_complaint: [
    '不是投诉', '不是来吵架', '不会投诉', '不是抱怨', '开玩笑', '别当真', '不着急', '不急', '没事', '忽略', '不重要', '不是针对',
    '跟你们没关系', '撤销', '哈哈', '哈哈哈', '笑死',
  ],
  resolved: ['解决了', '已经解决', '处理好了', '已解决', '退好了', '换了新的', '改观', '改成五星', '不用再联系'],
  self_fault: ['我自己', '不小心', '自己不小心', '误操作', '买错', '选错', '填错', '发错了', '我的错'],
  third_party: ['朋友', '奶奶', '我妈', '别家', '别的品牌', '别的网站', '别的平台', '冒充', '别人家'],
  rhetorical: [
    '凭什么', '难道', '到底', '究竟', '怎么回事', '还敢', '会死吗', '有没有人', '人呢', '钱呢', '谁来负责', '谁来赔', '什么鬼', '搞什么',
    '想干嘛', '什么意思', '什么态度', '就这样', '是不是故意', '算什么', '有什么区别',
  ],
  negator: ['不', '没', '没有', '不是', '别', '未', '无', '不会', '并不', '不用'],
  you: ['你们', '你们家', '贵公司', '你们公司'],
};

export const EN: Record<Category, string[]> = {
  escalate: [
    'lawyer', 'attorney', 'sue', 'court', 'small claims', 'legal action', 'regulator', 'trading standards', 'consumer council',
    'consumer association', 'consumer protection', 'ombudsman', 'police', 'press', 'news', 'journalist', 'news station', 'report',
    'formal complaint', 'complain', 'complaint', 'chargeback', 'dispute', 'bank', 'manager', 'someone senior',
  ],
  review: ['review', 'one-star', 'one star', 'zero star', 'instagram', 'twitter', 'facebook', 'tiktok', 'post', 'everyone i know', 'telling everyone', 'stay away', 'platform'],
  danger: [
    'fire', 'caught fire', 'smoke', 'smoking', 'burn', 'burnt', 'melt', 'explode', 'explosion', 'shock', 'scald', 'cut', 'stitch',
    'hospital', 'a&e', 'emergency', 'vet', 'rash', 'ill', 'sick', 'poison', 'injur', 'hurt', 'hazard', 'danger', 'dangerous', 'glass',
    'choke', 'swallow', 'die', 'died', 'bleed', 'blood', 'allergy', 'allergic',
  ],
  damage: [
    'broken', 'broke', 'break', 'crack', 'leak', 'tear', 'torn', 'smash', 'crush', 'dead', 'damage', 'defect', 'faulty', 'peel', 'drown',
    'wrong', 'lost', 'lose', 'miss', 'scratch', 'stain', 'soggy', 'used', 'counterfeit', 'fake', 'brick',
  ],
  fraud: ['scam', 'fraud', 'theft', 'steal', 'stole', 'rip-off', 'rip off', 'ripped off', 'lie', 'liar', 'lied', 'counterfeit', 'fake', 'mislabel', 'misleading', 'cheat'],
  insult: ['clown', 'joke', 'pathetic', 'disgusting', 'disgrace', 'shameful', 'shame', 'idiot', 'useless', 'incompetent', 'criminal', 'harass', 'harassment', 'worst'],
  sarcasm: ['oh wonderful', 'oh great', 'great job', 'thanks a lot', 'thanks for nothing', 'congratulation', 'yeah right', 'so-called', 'nice', 'well done', 'bravo', 'wonderful', 'quote'],
  slang: ['wtf', 'smh', 'lol', 'omg', 'ffs'],
  anger: ['angry', 'furious', 'livid', 'upset', 'fed up', 'sick of', 'done', 'outrage', 'unbelievable', 'unacceptable', 'ridiculous', 'annoyed', 'annoying', 'irritat', 'frustrat', 'disappoint', 'let down', 'never again', 'never buy', 'lost a customer'],
  demand: ['refund', 'money back', 'compensat', 'cover', 'pay', 'replace', 'replacement', 'fix', 'sort', 'answer', 'expect', 'demand', 'want', 'must', 'escalate', 'responsib'],
  urgency: ['now', 'today', 'tonight', 'tomorrow', 'immediately', 'asap', 'by friday', 'by noon', 'end of day', 'deadline', 'last warning', 'within', 'hour'],
  repeat: ['again', 'twice', 'three time', 'third time', 'fourth', 'second time', 'still', 'keep', 'repeatedly', 'every time', 'week', 'day'],
  neglect: ['ignore', 'nobody', 'no one', 'no response', 'never heard', 'hung up', 'hang up', 'template', 'read my message', 'call back', 'get back'],
  mild: ['a bit', 'bit', 'slightly', 'little', 'kind of', 'somewhat', 'sigh', 'meh', 'not great', 'not a big deal', 'no rush', 'hope', 'could be better', 'mildly', 'hmm', 'expected'],
  positive: ['thank', 'thanks', 'love', 'great', 'happy', 'impress', 'best', 'helpful', 'patient', 'perfect', 'obsessed', 'cute', 'compliment', 'sweet', 'amazing', 'awesome', 'good'],
  question: ['how', 'what', 'when', 'where', 'which', 'can i', 'could', 'is there', 'is it', 'do you', 'does', 'are your', 'any'],
  hypothetical: ['if', 'in advance', 'just checking', 'before i buy', 'in case'],
  not_complaint: ['not complaining', 'not going to complain', 'no rush', 'just wondering', 'just asking', 'disregard', 'not a big deal', 'lol', 'ha'],
  resolved: ['sorted', 'resolved', 'works great', 'works perfectly', 'fixed'],
  self_fault: ['my fault', 'myself', 'by mistake', 'accident'],
  third_party: ['my mum', 'my friend', 'someone', 'my mom'],
  rhetorical: ['are you kidding', 'where is my', 'who is going to', 'anyone there', 'what the', 'seriously'],
  negator: ['not', 'no', 'never', "n't", 'without', 'nothing'],
  you: ['you people', 'your company', 'you guys'],
};

/** Multi-character Chinese terms, for the segmenter's dictionary. */
export const SEGMENTER_WORDS: readonly string[] = [...new Set(Object.values(ZH).flat().filter((t) => t.length >= 2 && /[\u3400-\u9fff]/.test(t)))];
