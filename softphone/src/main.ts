import { mount } from 'svelte';
import { setupI18n } from './lib/i18n';
import App from './App.svelte';
import WallboardPage from './components/supervision/WallboardPage.svelte';
import './app.css';

setupI18n();

// /wallboard?token=… is the big-screen wallboard: no login, a read-only token.
const app = mount(location.pathname === '/wallboard' ? WallboardPage : App, { target: document.getElementById('app')! });

export default app;
