import websockets
import asyncio
import json

async def test_websocket():
    uri = "ws://localhost:8000/ws/session/abc123?token=YOUR_JWT"

    async with websockets.connect(uri) as websocket:
        # Receive welcome message
        message = await websocket.recv()
        print(f"Connected: {message}")

        # Send chat message
        await websocket.send(json.dumps({
            "type": "chat_message",
            "content": "Hello from Python!"
        }))

        # Receive response
        response = await websocket.recv()
        print(f"Response: {response}")

asyncio.run(test_websocket())
