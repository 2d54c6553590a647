/**
 * Node's `events` module for the renderer bundle. Cornerstone3D's core imports vtk.js's XML
 * readers, which import xmlbuilder2, whose callback builder `extends EventEmitter` from 'events'
 * when the module loads. Vite replaces Node built-ins with an empty module in a browser build, so
 * without this the viewer's chunk fails to load ("Class extends value undefined"). The viewer never
 * uses that builder; this is a small, complete-enough EventEmitter so that it could.
 * electron.vite.config.ts aliases 'events' to this file for the renderer only.
 */
type Listener = (...args: unknown[]) => void;

export class EventEmitter {
  private readonly listenersByEvent = new Map<string | symbol, Listener[]>();

  on(event: string | symbol, listener: Listener): this {
    this.listenersByEvent.set(event, [...(this.listenersByEvent.get(event) ?? []), listener]);
    return this;
  }

  addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener);
  }

  once(event: string | symbol, listener: Listener): this {
    const wrapper: Listener = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off(event: string | symbol, listener: Listener): this {
    const remaining = (this.listenersByEvent.get(event) ?? []).filter((candidate) => candidate !== listener);
    if (remaining.length > 0) this.listenersByEvent.set(event, remaining);
    else this.listenersByEvent.delete(event);
    return this;
  }

  removeListener(event: string | symbol, listener: Listener): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this.listenersByEvent.clear();
    else this.listenersByEvent.delete(event);
    return this;
  }

  emit(event: string | symbol, ...args: unknown[]): boolean {
    const listeners = this.listenersByEvent.get(event);
    if (!listeners) return false;
    for (const listener of [...listeners]) listener.apply(this, args);
    return true;
  }

  listenerCount(event: string | symbol): number {
    return this.listenersByEvent.get(event)?.length ?? 0;
  }
}

export default EventEmitter;
