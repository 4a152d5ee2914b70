/** The application menu (menu-template.ts) installed with Electron's Menu; rebuilt when recent files change. */
import { Menu } from 'electron';
import type { MenuActions, MenuContext } from './menu-template.js';
import { menuTemplate } from './menu-template.js';

export function installMenu(context: MenuContext, actions: MenuActions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(context, actions)));
}
