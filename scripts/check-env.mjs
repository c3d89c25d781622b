// Before the tests: say exactly what is missing on this machine instead of failing obscurely later.

import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const problems = [];
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) problems.push(`Chromium not found at ${chromium}: apt-get install chromium`);
let vulkan = false;
try {
  vulkan = execSync('ldconfig -p', { encoding: 'utf8' }).includes('libvulkan.so.1');
} catch {
  vulkan = existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1');
}
if (!vulkan)
  problems.push('Vulkan loader libvulkan.so.1 not found (Dawn needs it): apt-get install libvulkan1');
if (!existsSync('node_modules/webgpu')) problems.push('node_modules missing: npm ci');
if (problems.length) {
  console.error(
    `The test suite cannot run on this machine yet:\n- ${problems.join('\n- ')}\n(.ci/run installs all of these.)`,
  );
  process.exit(1);
}
