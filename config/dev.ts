import type { UserConfigExport } from '@tarojs/cli';

// `npm run dev:h5`: the dev server proxies the API to a server started with `npm start`.
export default {
  logger: { quiet: false, stats: true },
  mini: {},
  h5: {
    publicPath: '/',
    devServer: {
      port: 10086,
      proxy: [
        {
          context: ['/api'],
          target: process.env.LOOPLINE_API ?? 'http://127.0.0.1:3000',
          changeOrigin: true,
        },
      ],
    },
  },
} satisfies UserConfigExport<'webpack5'>;
