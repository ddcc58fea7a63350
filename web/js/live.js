// The live channel (/ws): the browser's session cookie authenticates it. Events carry increasing ids; after a drop
// the client reconnects with ?since=<last id>, so nothing that happened meanwhile is missed.

/**
 * Opens /ws for `topics` and calls `onEvent` with every event and `onState` with 'live' | 'connecting'.
 * Returns a function that closes it for good.
 */
export function openLive({ topics = ['activations'], onEvent, onState = () => {} }) {
  let lastId;
  let ws;
  let stopped = false;
  let delay = 500;
  let timer;

  const connect = () => {
    const params = new URLSearchParams({ topics: topics.join(',') });
    if (lastId !== undefined) params.set('since', String(lastId));
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(`${scheme}//${location.host}/ws?${params}`);
    onState('connecting');
    ws.onmessage = (m) => {
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      if (msg.type === 'live.ready') {
        delay = 500;
        if (lastId === undefined) lastId = msg.lastEventId;
        onState('live');
        return;
      }
      if (typeof msg.id === 'number') {
        lastId = msg.id;
        onEvent(msg);
      } else if (msg.type === 'live.gap') {
        onEvent({ type: 'live.gap' }); // events were pruned: reload everything over the API
      }
    };
    ws.onclose = () => {
      if (stopped) return;
      onState('connecting');
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15_000);
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    ws?.close();
  };
}
