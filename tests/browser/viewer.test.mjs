// viewer.test.mjs - the offline tile viewer in a real browser: headless
// Chromium (Debian's /usr/bin/chromium) driven by playwright-core opens the
// index.html that `eventmap tiles` wrote, from a static server on 127.0.0.1,
// and checks what a user would see: tiles load, every located event is a
// marker, a click on one opens a popup with that event's properties, the
// attribution names GeoNames and Natural Earth, and the page asks nothing of
// any other host (it works offline).
//
//   node tests/browser/viewer.test.mjs TILES_DIR [SCREENSHOT.png]
//
// The screenshots: SCREENSHOT.png as the page opens, SCREENSHOT-popup.png
// with a marker's popup open.
//
// playwright-core comes from $EVENTMAP_BROWSER_DIR (default .cache/browser,
// installed by `sh scripts/setup.sh browser`).  Prints one line per check
// and exits 0 when all pass, 1 when one fails, 2 on bad usage.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, sep, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const [tilesArg, shotArg] = process.argv.slice(2);
if (!tilesArg) {
    console.error('usage: node tests/browser/viewer.test.mjs TILES_DIR [SCREENSHOT.png]');
    process.exit(2);
}
const tilesDir = resolve(tilesArg);
const browserDir = resolve(process.env.EVENTMAP_BROWSER_DIR || join(root, '.cache', 'browser'));
const pwEntry = join(browserDir, 'node_modules', 'playwright-core', 'index.mjs');
const chromiumPath = process.env.EVENTMAP_CHROMIUM || '/usr/bin/chromium';

let failures = 0;
function check(ok, what, detail) {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? `: ${detail}` : ''}`);
    if (!ok) failures++;
    return ok;
}
function die(msg) {
    console.error(`viewer.test: ${msg}`);
    process.exit(1);
}

if (!existsSync(pwEntry)) die(`playwright-core not installed at ${pwEntry}: run 'sh scripts/setup.sh browser'`);
if (!existsSync(chromiumPath)) die(`${chromiumPath} not found: run 'sh scripts/setup.sh browser'`);
if (!existsSync(join(tilesDir, 'index.html'))) die(`${tilesDir}/index.html not found`);

const { chromium } = await import(pathToFileURL(pwEntry).href);

// What the viewer should show, from the files eventmap wrote.
const tilejson = JSON.parse(await readFile(join(tilesDir, 'tilejson.json'), 'utf8'));
const events = JSON.parse(await readFile(join(tilesDir, 'events.geojson'), 'utf8'));
const features = events.features.filter((f) => f.geometry && f.geometry.type === 'Point');

// ------------------------------------------------------------ static server

const types = {
    '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.geojson': 'application/geo+json',
    '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json',
};
const served = [];     // every path asked for, with its status
const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    const file = normalize(join(tilesDir, path.endsWith('/') ? path + 'index.html' : path));
    let status = 200;
    try {
        if (file !== tilesDir && !file.startsWith(tilesDir + sep)) throw new Error('outside');
        if (!(await stat(file)).isFile()) throw new Error('not a file');
        const body = await readFile(file);
        res.writeHead(200, { 'Content-Type': types[extname(file)] || 'application/octet-stream' });
        res.end(body);
    } catch {
        status = 404;
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found\n');
    }
    served.push({ path, status });
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}/`;

// ------------------------------------------------------------------ browser

const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // root in a container: Chromium's sandbox needs user namespaces we may not have
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const offHost = [];    // requests to anything but our server: the page must make none
const pageErrors = [];
try {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(base) || url.startsWith('data:')) return route.continue();
        offHost.push(url);
        return route.abort();
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });

    const resp = await page.goto(base + 'index.html', { waitUntil: 'load' });
    check(resp && resp.ok(), 'index.html is served', resp && resp.status());

    // tiles: at least one loads, and every tile image settles as loaded
    await page.waitForSelector('img.leaflet-tile-loaded', { timeout: 15000 }).catch(() => {});
    const loaded = await page.locator('img.leaflet-tile-loaded').count();
    check(loaded >= 1, 'tiles load', `${loaded} loaded tile images`);
    await page.waitForFunction(() => {
        const imgs = [...document.querySelectorAll('img.leaflet-tile')];
        return imgs.length > 0 && imgs.every((i) => i.complete);
    }, null, { timeout: 15000 }).catch(() => {});
    const broken = await page.evaluate(() => [...document.querySelectorAll('img.leaflet-tile')]
        .filter((i) => !i.classList.contains('leaflet-tile-loaded') || i.naturalWidth !== 256)
        .map((i) => i.src));
    check(broken.length === 0, 'every tile in view is a 256 px image', broken.slice(0, 5).join(' '));
    const tile404 = served.filter((s) => s.status !== 200 && /\.png$/.test(s.path));
    check(tile404.length === 0, 'no tile is asked for that was not rendered',
          tile404.slice(0, 5).map((s) => s.path).join(' '));

    // markers: one per located event
    await page.waitForSelector('path.eventmap-event', { timeout: 15000 }).catch(() => {});
    const markers = page.locator('path.eventmap-event');
    const nMarkers = await markers.count();
    check(nMarkers >= 1, 'event markers are drawn', `${nMarkers} markers`);
    check(nMarkers === features.length, 'one marker per event in events.geojson',
          `${nMarkers} markers, ${features.length} features`);

    // the first view holds the tileset's bounds (before a popup pans the map)
    const inView = await page.evaluate((b) => {
        const map = window.eventmapMap;
        if (!map) return 'window.eventmapMap is not set';
        const v = map.getBounds();
        const eps = 1e-6;
        return v.getWest() <= b[0] + eps && v.getSouth() <= b[1] + eps && v.getEast() >= b[2] - eps &&
            v.getNorth() >= b[3] - eps ? '' : `view ${v.toBBoxString()}, bounds ${b}`;
    }, tilejson.bounds);
    check(inView === '', 'the view fits the tileset\'s bounds', inView);

    if (shotArg) {
        await page.screenshot({ path: resolve(shotArg) });
        console.log(`screenshot: ${shotArg}`);
    }

    // a marker that is on top where it is drawn (not under a control or
    // another marker) takes the click; its popup shows its properties
    if (nMarkers >= 1) {
        const target = await page.evaluate(() => {
            const paths = [...document.querySelectorAll('path.eventmap-event')].reverse();
            for (const p of paths) {
                const r = p.getBoundingClientRect();
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                if (document.elementFromPoint(x, y) === p) return { x, y };
            }
            return null;
        });
        check(!!target, 'some marker is not hidden under a control or another marker');
        if (target) {
            await page.mouse.click(target.x, target.y);
            const popup = page.locator('.leaflet-popup-content');
            const shown = await popup.waitFor({ timeout: 5000 }).then(() => true, () => false);
            check(shown, 'a click on a marker opens a popup');
            if (shown) {
                const text = await popup.innerText();
                const f = features.find((ft) => text.includes(String(ft.properties.id)));
                check(!!f, 'the popup names an event of events.geojson', text.slice(0, 200));
                if (f) {
                    const p = f.properties;
                    check(text.includes(p.event_date) && text.includes(p.event_type) && text.includes(p.location),
                          'the popup shows the event\'s date, type and place', text.slice(0, 200));
                }
            }
        }
    }

    // events that share a spot (al-Dumair's three in the seed report): the
    // popup of the marker on top lists every one of them
    const spots = new Map();
    for (const ft of features) {
        const key = ft.geometry ? ft.geometry.coordinates.join(',') : '';
        if (key) spots.set(key, (spots.get(key) || []).concat([ft]));
    }
    const shared = [...spots.values()].find((fs) => fs.length > 1);
    if (shared && nMarkers >= 1) {
        const [lon, lat] = shared[0].geometry.coordinates;
        const at = await page.evaluate(([la, lo]) => {
            const m = window.eventmapMap;
            m.closePopup();
            const p = m.latLngToContainerPoint([la, lo]);
            const r = m.getContainer().getBoundingClientRect();
            return { x: r.left + p.x, y: r.top + p.y };
        }, [lat, lon]);
        await page.locator('.leaflet-popup').waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
        await page.mouse.click(at.x, at.y);
        const popup = page.locator('.leaflet-popup-content');
        const shown = await popup.waitFor({ timeout: 5000 }).then(() => true, () => false);
        check(shown, 'a click on a shared spot opens a popup');
        if (shown) {
            const text = await popup.innerText();
            const missing = shared.filter((ft) => !text.includes(String(ft.properties.id))).map((ft) => ft.properties.id);
            check(missing.length === 0 && text.includes(`${shared.length} events here`),
                  `the popup of a spot lists its ${shared.length} events`, `missing ${missing}: ${text.slice(0, 200)}`);
        }
    }

    const attribution = await page.locator('.leaflet-control-attribution').innerText().catch(() => '');
    check(/GeoNames/.test(attribution) && /Natural Earth/.test(attribution),
          'the attribution names GeoNames and Natural Earth', attribution);
    check(attribution.includes('CC BY 4.0'), 'the attribution gives GeoNames\' licence', attribution);

    check(offHost.length === 0, 'nothing is fetched from another host (works offline)', offHost.join(' '));
    check(pageErrors.length === 0, 'no script errors', pageErrors.join(' | '));

    if (shotArg) {
        const popupShot = shotArg.replace(/(\.png)?$/, '-popup.png');
        await page.waitForTimeout(400); // let the popup's fade-in end
        await page.screenshot({ path: resolve(popupShot) });
        console.log(`screenshot: ${popupShot}`);
    }
} finally {
    await browser.close();
    server.close();
}

console.log(failures ? `viewer.test: ${failures} check(s) failed` : 'viewer.test: all checks passed');
process.exit(failures ? 1 : 0);
