import { render } from 'preact';
import { App } from './app.js';
import { readConfig } from './config.js';
import './viewer.css';

render(<App config={readConfig(document.body)} />, document.getElementById('app')!);
