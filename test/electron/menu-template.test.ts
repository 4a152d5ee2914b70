/** The application menu as data: its items, accelerators, and what each click asks for. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuActions, MenuContext } from '../../main/electron/menu-template.js';
import { MENU_VIEWS, menuTemplate } from '../../main/electron/menu-template.js';

function record(): { readonly actions: MenuActions; readonly log: string[] } {
  const log: string[] = [];
  return {
    log,
    actions: {
      openCapture: () => log.push('open'),
      openRecent: (p) => log.push(`recent ${p}`),
      clearRecent: () => log.push('clear'),
      closeCapture: () => log.push('close'),
      showView: (v) => log.push(`view ${v}`),
      about: () => log.push('about'),
    },
  };
}

const ctx = (o: Partial<MenuContext> = {}): MenuContext => ({ platform: 'linux', packaged: true, appName: 'Lockscope', recent: [], ...o });

function sub(item: MenuItemConstructorOptions | undefined): MenuItemConstructorOptions[] {
  const s = item?.submenu;
  assert.ok(Array.isArray(s), `${item?.label ?? item?.role ?? '?'} has a submenu`);
  return s;
}

function top(t: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions | undefined {
  return t.find((i) => i.label === label || i.role === label);
}

function click(item: MenuItemConstructorOptions | undefined): void {
  assert.ok(item?.click !== undefined, `${item?.label ?? '?'} is clickable`);
  (item.click as () => void)();
}

describe('menuTemplate', () => {
  it('File: Open Capture… (Ctrl/Cmd+O), Open Recent, Close Capture (Ctrl/Cmd+W), Quit', () => {
    const { actions, log } = record();
    const file = sub(top(menuTemplate(ctx(), actions), '&File'));
    const open = file.find((i) => i.label === 'Open Capture…');
    assert.equal(open?.accelerator, 'CmdOrCtrl+O');
    click(open);
    const close = file.find((i) => i.label === 'Close Capture');
    assert.equal(close?.accelerator, 'CmdOrCtrl+W');
    click(close);
    assert.ok(file.some((i) => i.role === 'quit'));
    assert.deepEqual(log, ['open', 'close']);
  });

  it('Open Recent lists the files newest first, escapes &, and can be cleared', () => {
    const { actions, log } = record();
    const file = sub(top(menuTemplate(ctx({ recent: ['/d/new.lscap', '/d/a & b.lscap'] }), actions), '&File'));
    const recent = sub(file.find((i) => i.label === 'Open Recent'));
    assert.deepEqual(recent.map((i) => i.label ?? i.type), ['/d/new.lscap', '/d/a && b.lscap', 'separator', 'Clear Recent']);
    click(recent[1]);
    click(recent[3]);
    assert.deepEqual(log, ['recent /d/a & b.lscap', 'clear']);
    const empty = sub(sub(top(menuTemplate(ctx(), actions), '&File')).find((i) => i.label === 'Open Recent'));
    assert.deepEqual(empty.map((i) => [i.label, i.enabled]), [['No Recent Captures', false]]);
  });

  it('View: the five views on Alt+1 … Alt+5, left to the renderer, sent on a click', () => {
    const { actions, log } = record();
    const view = sub(top(menuTemplate(ctx(), actions), '&View'));
    const items = view.filter((i) => i.accelerator?.startsWith('Alt+'));
    assert.deepEqual(items.map((i) => i.accelerator), ['Alt+1', 'Alt+2', 'Alt+3', 'Alt+4', 'Alt+5']);
    assert.ok(items.every((i) => i.registerAccelerator === false));
    items.forEach(click);
    assert.deepEqual(log, MENU_VIEWS.map((v) => `view ${v.view}`));
    assert.deepEqual(MENU_VIEWS.map((v) => v.view), ['targets', 'live', 'verdicts', 'timeline', 'stats']);
  });

  it('reload and devtools only in an unpackaged app', () => {
    const roles = (packaged: boolean): unknown[] => sub(top(menuTemplate(ctx({ packaged }), record().actions), '&View')).map((i) => i.role);
    assert.ok(!roles(true).includes('toggleDevTools') && !roles(true).includes('reload'));
    assert.ok(roles(false).includes('toggleDevTools') && roles(false).includes('reload'));
  });

  it('Help › About', () => {
    const { actions, log } = record();
    const help = sub(top(menuTemplate(ctx(), actions), 'help'));
    click(help.find((i) => i.label === 'About Lockscope'));
    assert.deepEqual(log, ['about']);
  });

  it('macOS: the app menu first (it has Quit), no Quit in File, a Window menu', () => {
    const t = menuTemplate(ctx({ platform: 'darwin' }), record().actions);
    assert.equal(t[0]?.role, 'appMenu');
    assert.ok(!sub(top(t, '&File')).some((i) => i.role === 'quit'));
    assert.ok(t.some((i) => i.role === 'windowMenu'));
    const linux = menuTemplate(ctx(), record().actions);
    assert.ok(!linux.some((i) => i.role === 'appMenu' || i.role === 'windowMenu'));
  });
});
