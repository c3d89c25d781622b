// `node --import ./bin/raw-register.mjs`: lets scripts run through tsx import `*.wgsl?raw` like Vite does.
import { register } from 'node:module';

register('./raw-hooks.mjs', import.meta.url);
