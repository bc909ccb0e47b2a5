// Connect to session
const ws = new WebSocket('ws://localhost:8000/ws/session/abc123?token=YOUR_JWT');

// Handle messages
ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    console.log('Received:', data);
};

// Send chat message
ws.send(JSON.stringify({
    type: 'chat_message',
    content: 'Hello from browser!'
}));

// Update cursor
ws.send(JSON.stringify({
    type: 'cursor_update',
    data: {
        file: 'main.py',
        line: 42,
        column: 10
    }
}));

// Add code comment
ws.send(JSON.stringify({
    type: 'code_comment',
    data: {
        file: 'main.py',
        line: 42,
        content: 'This could be optimized',
        code_snippet: 'def foo():'
    }
}));
