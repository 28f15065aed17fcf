import test from 'ava';
import { launchBrowser } from '../helpers/browser.js';

test('without Chromium the browser tests fail, saying what to install, rather than pass unrun', async (t) => {
  await t.throwsAsync(launchBrowser('/nonexistent/chromium'), { message: /apt-get install -y chromium/ });
});
