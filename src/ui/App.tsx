import { RecognizerContext, useRecognizer, type RecognizerOptions } from '../store/useRecognizer';
import { ComparePanel } from './components/ComparePanel';
import { ErrorBanner } from './components/ErrorBanner';
import { FileInput } from './components/FileInput';
import { FinalPassPicker } from './components/FinalPassPicker';
import { Header } from './components/Header';
import { LevelSlider } from './components/LevelSlider';
import { MetricsPanel } from './components/MetricsPanel';
import { MicButton } from './components/MicButton';
import { TranscriptPane } from './components/TranscriptPane';

export function App(props: RecognizerOptions) {
  const store = useRecognizer(props);
  return (
    <RecognizerContext.Provider value={store}>
      <div className="app">
        <Header />
        <ErrorBanner />
        <main className="layout">
          <div className="primary">
            <div className="controls">
              <MicButton />
              <FileInput />
            </div>
            <TranscriptPane />
          </div>
          <aside className="secondary">
            <LevelSlider />
            <FinalPassPicker />
            <MetricsPanel />
          </aside>
        </main>
        <ComparePanel />
        <footer className="app-footer">
          Audio never leaves this page: the model runs locally with onnxruntime-web.
        </footer>
      </div>
    </RecognizerContext.Provider>
  );
}
