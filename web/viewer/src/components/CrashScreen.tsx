import { Component, type ReactNode } from 'react';

/** A render error anywhere shows a message and a way out, never a blank page. */
export class CrashScreen extends Component<{ children: ReactNode }, { crashed: boolean }> {
  override state = { crashed: false };

  static getDerivedStateFromError() {
    return { crashed: true };
  }

  override render() {
    if (!this.state.crashed) return this.props.children;
    return (
      <main id="main" className="crash">
        <h1>Something went wrong</h1>
        <div role="alert" className="notice notice-error">
          <p>This page could not be shown.</p>
        </div>
        <p>
          <a href="/">Reload CinemaAbyss</a>
        </p>
      </main>
    );
  }
}
