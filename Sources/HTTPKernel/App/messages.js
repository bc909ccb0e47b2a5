// The room's messages: threads, mentions, reactions, editing and deleting, and the composer and code comment forms.
import { me } from './auth.js';
import { byId, element, formValues } from './dom.js';
import { room } from './room.js';

const REACTION_CHOICES = ['👍', '🎉', '❤️', '👀'];

function mentionedUsernames(message) {
  return new Set((message.mentions || []).map((id) => room.usernames.get(id)).filter(Boolean));
}

// The text with every @username the server resolved as a mention in a <mark>.
function messageBody(message) {
  const body = element('p', { className: 'message-body' });
  if (message.deleted_at || message.content === null) {
    body.classList.add('deleted');
    body.textContent = 'This message was deleted.';
    return body;
  }
  const mentioned = mentionedUsernames(message);
  for (const part of message.content.split(/(@[A-Za-z0-9_.-]+)/)) {
    const username = part.startsWith('@') ? part.slice(1).replace(/\.+$/, '') : null;
    if (username && mentioned.has(username)) {
      const mark = element('mark', { className: 'mention', text: `@${username}` });
      if (me && username === me.username) mark.classList.add('mention-me');
      body.append(mark, part.slice(username.length + 1));
    } else {
      body.append(part);
    }
  }
  return body;
}

export function upsertMessage(message) {
  if (!message || !message.id) return;
  if (message.user_id && message.username) room.usernames.set(message.user_id, message.username);
  room.messages.set(message.id, message);
  renderMessage(message);
}

function messageItem(message) {
  let item = document.getElementById(`message-${message.id}`);
  if (item) return item;
  item = element('li', { className: 'message', attrs: { id: `message-${message.id}`, 'data-message-id': message.id } });
  const parent = message.parent_id && document.getElementById(`message-${message.parent_id}`);
  if (parent) {
    let replies = parent.querySelector(':scope > ol.replies');
    if (!replies) {
      replies = element('ol', { className: 'replies', attrs: { 'aria-label': 'Replies' } });
      parent.append(replies);
    }
    replies.append(item);
  } else {
    byId('message-list').append(item);
  }
  return item;
}

export function renderMessage(message) {
  const item = messageItem(message);
  // Re-rendering replaces the buttons; keyboard focus returns to the same action.
  const focused = item.contains(document.activeElement) && !item.querySelector('ol.replies')?.contains(document.activeElement)
    ? document.activeElement.dataset.action : null;

  const canWrite = room.role === 'host' || room.role === 'editor';
  const own = me && message.user_id === me.id;
  const deleted = Boolean(message.deleted_at) || message.content === null;

  const header = element('p', { className: 'message-header' }, [
    element('strong', { text: message.username || 'system' }),
    ' ',
    element('time', { className: 'muted', text: new Date(message.created_at).toLocaleTimeString(), attrs: { datetime: message.created_at } }),
    message.edited_at && !deleted ? element('span', { className: 'muted', text: ' (edited)' }) : null,
    message.type === 'direct' ? element('span', { className: 'badge', text: 'direct' }) : null,
    room.missedIds.has(message.id) ? element('span', { className: 'badge missed-badge', text: 'missed while disconnected' }) : null,
  ]);
  const parts = [header];
  if (message.file) {
    parts.push(element('p', { className: 'comment-location' }, [
      'Comment on ', element('code', { text: `${message.file}:${message.line}` }),
    ]));
  }
  if (message.code_snippet && !deleted) parts.push(element('pre', { className: 'snippet' }, [element('code', { text: message.code_snippet })]));
  parts.push(messageBody(message));
  if (!deleted) parts.push(reactionBar(message, canWrite));

  const actions = element('div', { className: 'message-actions' });
  if (canWrite && !deleted) actions.append(actionButton('reply', 'Reply', message, () => setComposer({ mode: 'reply', message })));
  if (own && canWrite && !deleted) actions.append(actionButton('edit', 'Edit', message, () => setComposer({ mode: 'edit', message })));
  if (!deleted && canWrite && (own || room.role === 'host')) {
    actions.append(actionButton('delete', 'Delete', message, () => {
      if (confirm('Delete this message?')) room.connection.send({ type: 'delete_message', message_id: message.id });
    }));
  }
  if (actions.childElementCount) parts.push(actions);

  const replies = item.querySelector(':scope > ol.replies');
  item.replaceChildren(...parts, ...(replies ? [replies] : []));
  // An emoji is any text, so it is escaped to stay a valid selector.
  if (focused) item.querySelector(`:scope > * [data-action="${CSS.escape(focused)}"]`)?.focus();
}

function actionButton(action, label, message, onClick) {
  const button = element('button', {
    text: label, attrs: { type: 'button', 'data-action': action, 'aria-label': `${label} message from ${message.username || 'system'}` },
  });
  button.addEventListener('click', onClick);
  return button;
}

function reactionBar(message, canWrite) {
  const bar = element('div', { className: 'reactions', attrs: { role: 'group', 'aria-label': 'Reactions' } });
  const reactions = message.reactions || [];
  for (const reaction of reactions) {
    const mine = me && reaction.user_ids.includes(me.id);
    const label = `${reaction.emoji} ${reaction.count}`;
    if (!canWrite) {
      bar.append(element('span', { className: 'reaction', text: label, attrs: { 'data-emoji': reaction.emoji } }));
      continue;
    }
    const button = element('button', {
      className: 'reaction', text: label,
      attrs: {
        type: 'button', 'data-emoji': reaction.emoji, 'data-action': `reaction-${reaction.emoji}`, 'aria-pressed': String(mine),
        'aria-label': `${mine ? 'Remove' : 'Add'} reaction ${reaction.emoji}, ${reaction.count} so far`,
      },
    });
    button.addEventListener('click', () => room.connection.send({
      type: 'reaction', message_id: message.id, emoji: reaction.emoji, action: mine ? 'remove' : 'add',
    }));
    bar.append(button);
  }
  if (canWrite) {
    for (const emoji of REACTION_CHOICES.filter((choice) => !reactions.some((reaction) => reaction.emoji === choice))) {
      const button = element('button', {
        className: 'reaction reaction-new', text: `+${emoji}`,
        attrs: { type: 'button', 'data-action': `react-${emoji}`, 'aria-label': `React with ${emoji}` },
      });
      button.addEventListener('click', () => room.connection.send({ type: 'reaction', message_id: message.id, emoji, action: 'add' }));
      bar.append(button);
    }
  }
  return bar;
}

// The composer writes a new message, a reply in a thread, or an edit of an own message.
export function setComposer(context) {
  if (room) room.composer = context;
  const input = byId('chat-input');
  byId('composer-context').hidden = !context;
  byId('chat-submit').textContent = context && context.mode === 'edit' ? 'Save' : 'Send';
  if (!context) return;
  const who = context.message.username || 'system';
  byId('composer-context-text').textContent = context.mode === 'edit' ? 'Editing your message' : `Replying to ${who}`;
  if (context.mode === 'edit') input.value = context.message.content;
  input.focus();
}

export function setUpMessageForms() {
  byId('composer-cancel').addEventListener('click', () => {
    if (room && room.composer && room.composer.mode === 'edit') byId('chat-input').value = '';
    setComposer(null);
    byId('chat-input').focus();
  });

  byId('chat-input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      byId('chat-form').requestSubmit();
    }
  });

  byId('chat-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = byId('chat-input');
    const content = input.value.trim();
    if (!content || !room) return;
    const context = room.composer;
    let frame = { type: 'chat_message', content };
    if (context && context.mode === 'reply') frame = { type: 'chat_message', content, parent_id: context.message.id };
    if (context && context.mode === 'edit') frame = { type: 'edit_message', message_id: context.message.id, content };
    if (await room.connection.send(frame)) {
      input.value = '';
      setComposer(null);
    }
  });

  byId('comment-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = formValues(event.target);
    const data = { file: values.file, line: Number(values.line), content: values.content };
    if (values.code_snippet) data.code_snippet = values.code_snippet;
    if (await room.connection.send({ type: 'code_comment', data })) {
      byId('comment-content').value = '';
      byId('comment-snippet').value = '';
    }
  });
}
