import assert from 'node:assert/strict';

/**
 * Checks a service's interactive documentation at `/docs`: an HTML page whose every script and
 * stylesheet loads, and the OpenAPI document it shows. Returns that document.
 */
export async function checkDocs(base: string): Promise<{ openapi: string; info: { description?: string }; paths: Record<string, unknown> }> {
  const page = await fetch(`${base}/docs`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  const html = await page.text();
  assert.match(html, /id="swagger-ui"/);
  const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css|png))"/g)].map((m) => m[1]!);
  assert.ok(assets.some((a) => a.endsWith('swagger-ui-bundle.js')) && assets.some((a) => a.endsWith('swagger-initializer.js')), html);
  for (const asset of assets) {
    const res = await fetch(new URL(asset, `${base}/docs`));
    assert.equal(res.status, 200, asset);
    const type = asset.endsWith('.js') ? /javascript/ : asset.endsWith('.css') ? /text\/css/ : /image\/png/;
    assert.match(res.headers.get('content-type') ?? '', type, asset);
    assert.ok((await res.arrayBuffer()).byteLength > 0, asset);
  }
  const document = await fetch(`${base}/docs/json`);
  assert.equal(document.status, 200);
  const body = (await document.json()) as Awaited<ReturnType<typeof checkDocs>>;
  assert.match(body.openapi, /^3\./);
  return body;
}
