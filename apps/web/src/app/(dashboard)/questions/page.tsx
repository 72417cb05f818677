import { QuestionsPage } from "../../../features/questions";

export default function Page(): React.ReactNode {
  return <QuestionsPage />;
}
