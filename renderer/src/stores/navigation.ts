import { defineStore } from 'pinia';

/** The application's sections, in the order of a researcher's work. */
export const SECTIONS = [
  { id: 'datasets', label: 'Datasets', hint: 'Import scans and labels, check them, see the fingerprint and plan' },
  { id: 'search', label: 'Search', hint: 'Choose a search method and a budget, and start an architecture search' },
  { id: 'monitor', label: 'Monitor', hint: 'Follow running searches: loss, Dice, controller reward, leaderboard, ETA' },
  { id: 'review', label: 'Review', hint: 'Compare predicted masks with ground truth, worst cases first' },
  { id: 'models', label: 'Models', hint: 'Export the final model to ONNX with its preprocessing metadata' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

export const useNavigationStore = defineStore('navigation', {
  state: () => ({ current: 'datasets' as SectionId }),
  getters: {
    section: (state) => SECTIONS.find((section) => section.id === state.current) ?? SECTIONS[0],
  },
  actions: {
    open(id: SectionId) {
      this.current = id;
    },
  },
});
